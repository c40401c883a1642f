package review_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

func TestConfigRejects(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, nil)
	for _, tc := range []struct {
		name string
		cfg  review.Config
	}{
		{"no store", review.Config{Tickets: e.Tickets}},
		{"no tickets", review.Config{Store: e.Store}},
		{"share above 1", review.Config{Store: e.Store, Tickets: e.Tickets, SampleShare: 1.5}},
		{"negative share", review.Config{Store: e.Store, Tickets: e.Tickets, SampleShare: -0.1}},
		{"negative interval", review.Config{Store: e.Store, Tickets: e.Tickets, RegenerateInterval: -time.Second}},
		{"short secret", review.Config{Store: e.Store, Tickets: e.Tickets, CSRFSecret: []byte("short")}},
		{"negative words", review.Config{Store: e.Store, Tickets: e.Tickets, MaxWords: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := review.New(tc.cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("New = %v, want invalid", err)
			}
		})
	}
}

func TestOnSummarySaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := MustEnv(t, func(c *review.Config) { c.SampleShare = 1 })
	none := MustEnv(t, func(c *review.Config) { c.NoSampling = true })
	for _, e := range []*env{all, none} {
		tk := e.MustTicket(t, "S-1")
		s := e.MustSummary(t, tk, "bedrock:haiku", "The customer was charged twice; the agent refunded one charge. Resolved.")
		queued, err := e.Svc.OnSummarySaved(ctx, s)
		mustNoErr(t, err, "hook")
		_, total, _ := e.Store.ListQueue(ctx, review.QueueFilter{State: review.Pending})
		want := e == all
		if queued != want || (total == 1) != want {
			t.Errorf("share %v: queued %v with %d pending, want %v", map[bool]string{true: "1", false: "none"}[want], queued, total, want)
		}
		if want {
			q, err := e.Store.FindQueueItem(ctx, s.ID)
			mustNoErr(t, err, "find")
			if q.Text != s.Text || q.Model != s.Model || q.ContentHash != tk.ContentHash() || q.Reason != "sampled" || !q.SampledAt.Equal(e.Clock.Now()) {
				t.Errorf("queued item = %+v", q)
			}
			again, err := e.Svc.OnSummarySaved(ctx, s)
			if err != nil || again {
				t.Errorf("second hook = %v, %v; want not queued again", again, err)
			}
		}
	}
	if _, err := all.Svc.OnSummarySaved(ctx, &ticketsum.Summary{TicketID: "S-1"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("hook without id: %v, want invalid", err)
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, func(c *review.Config) {
		c.CheckEdit = func(_ context.Context, tk *ticketsum.Ticket, text string) error {
			if strings.Contains(text, tk.Customer.Name) {
				return ticketsum.Errorf(ticketsum.EINVALID, "the edit contains a NAME")
			}
			return nil
		}
	})
	tk := e.MustTicket(t, "D-1")
	s := e.MustSummary(t, tk, "bedrock:haiku", "Charged twice; refunded.")
	item, err := e.Svc.EnqueueCurrent(ctx, tk.ID)
	mustNoErr(t, err, "enqueue current")
	if item.SummaryID != s.ID || item.Reason != "manual" {
		t.Fatalf("enqueued %+v", item)
	}
	long := strings.Repeat("word ", 61)
	for _, tc := range []struct {
		name string
		d    review.Decision
		code ticketsum.ErrorCode
		msg  string
	}{
		{"no reviewer", review.Decision{State: review.Approved}, ticketsum.EINVALID, "reviewer"},
		{"unknown state", review.Decision{State: "maybe", Reviewer: "pm"}, ticketsum.EINVALID, "approved, rejected or edited"},
		{"pending is no decision", review.Decision{State: review.Pending, Reviewer: "pm"}, ticketsum.EINVALID, "approved, rejected or edited"},
		{"empty edit", review.Decision{State: review.Edited, Reviewer: "pm", EditedText: "  "}, ticketsum.EINVALID, "empty"},
		{"two paragraphs", review.Decision{State: review.Edited, Reviewer: "pm", EditedText: "One.\n\nTwo."}, ticketsum.EINVALID, "one paragraph"},
		{"61 words", review.Decision{State: review.Edited, Reviewer: "pm", EditedText: long}, ticketsum.EINVALID, "61 words; the limit is 60"},
		{"personal data", review.Decision{State: review.Edited, Reviewer: "pm", EditedText: "Maria Jensen was refunded."}, ticketsum.EINVALID, "NAME"},
		{"text without edit", review.Decision{State: review.Approved, Reviewer: "pm", EditedText: "x"}, ticketsum.EINVALID, "edited decision"},
	} {
		_, err := e.Svc.Decide(ctx, s.ID, tc.d)
		if ticketsum.ErrorCodeOf(err) != tc.code || !strings.Contains(ticketsum.ErrorMessage(err), tc.msg) {
			t.Errorf("%s: %v, want %s mentioning %q", tc.name, err, tc.code, tc.msg)
		}
	}
	if _, err := e.Svc.Decide(ctx, 424242, review.Decision{State: review.Approved, Reviewer: "pm"}); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("unknown item: %v, want not found", err)
	}
	edit := strings.TrimSpace(strings.Repeat("word ", 60))
	got, err := e.Svc.Decide(ctx, s.ID, review.Decision{State: review.Edited, Reviewer: " pm ", EditedText: edit})
	mustNoErr(t, err, "a 60-word edit")
	stored, _ := e.Store.FindQueueItem(ctx, s.ID)
	if got.State != review.Edited || stored.Final() != edit || stored.Reviewer != "pm" || !stored.DecidedAt.Equal(e.Clock.Now()) {
		t.Errorf("stored %+v", stored)
	}
}

func TestRegenerate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var calls []string
	fail := false
	e := MustEnv(t, func(c *review.Config) {
		c.Regenerate = func(_ context.Context, id string) error {
			if fail {
				return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "queue down")
			}
			calls = append(calls, id)
			return nil
		}
	})
	e.MustTicket(t, "G-1")
	e.MustTicket(t, "G-2")
	mustNoErr(t, e.Svc.Regenerate(ctx, "G-1"), "first")
	e.Clock.Add(4*time.Minute + 59*time.Second)
	err := e.Svc.Regenerate(ctx, "G-1")
	if ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED || !strings.Contains(err.Error(), "try again in 1s") {
		t.Errorf("second within 5m: %v, want throttled, again in 1s", err)
	}
	mustNoErr(t, e.Svc.Regenerate(ctx, "G-2"), "another ticket is not limited")
	e.Clock.Add(time.Second)
	mustNoErr(t, e.Svc.Regenerate(ctx, "G-1"), "after 5m")
	if fmt.Sprint(calls) != "[G-1 G-2 G-1]" {
		t.Errorf("callback calls = %v, want [G-1 G-2 G-1]", calls)
	}
	// A failed callback does not use up the ticket's allowance.
	e.Clock.Add(5 * time.Minute)
	fail = true
	if err := e.Svc.Regenerate(ctx, "G-1"); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("failing callback: %v, want unavailable", err)
	}
	fail = false
	mustNoErr(t, e.Svc.Regenerate(ctx, "G-1"), "retry after a failed callback")
	if err := e.Svc.Regenerate(ctx, "nope"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("unknown ticket: %v, want not found", err)
	}
	off := MustEnv(t, nil)
	off.MustTicket(t, "G-1")
	if err := off.Svc.Regenerate(ctx, "G-1"); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("no callback: %v, want unavailable", err)
	}
}
