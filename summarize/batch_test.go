package summarize_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/summarize"
)

// perTicketSummarizer answers as fakeSummarizer, but throttles ticket
// "throttled", and counts calls.
type perTicketSummarizer struct {
	fakeSummarizer
	calls atomic.Int64
}

func (p *perTicketSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	p.calls.Add(1)
	if t.ID == "throttled" {
		return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down")
	}
	return p.fakeSummarizer.Summarize(ctx, t)
}

func batchTicket(id, body string) *ticketsum.Ticket {
	return &ticketsum.Ticket{ID: id, Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: body}}}
}

// TestProcessBatch runs a batch on a store with the batched load and save
// (Postgres) and on one without (the in-memory store): new threads are
// summarised and saved, a current one and a superseded one cost no call, a
// gone ticket is passed over, and a throttled one reports its error alone.
func TestProcessBatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) ticketsum.Store
	}{
		{"batch store", func(t *testing.T) ticketsum.Store {
			url, schema := dbtest.PostgresSchema(t)
			s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, MaxConns: dbtest.MaxConns})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s
		}},
		{"one at a time", func(t *testing.T) ticketsum.Store { return &memStore{tickets: map[string]*ticketsum.Ticket{}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := tc.store(t)
			sum := &perTicketSummarizer{fakeSummarizer: fakeSummarizer{text: "Fixed.", status: ticketsum.StatusResolved}}
			var saved atomic.Int64
			p, err := summarize.New(summarize.Config{Store: store, Model: "fake", Summarizer: sum,
				OnSaved: func(context.Context, *ticketsum.Summary) { saved.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			var vs []summarize.Version
			for _, id := range []string{"new1", "new2", "current", "throttled", "edited"} {
				tk := batchTicket(id, "help with "+id)
				if _, err := store.UpsertTicket(ctx, tk); err != nil {
					t.Fatal(err)
				}
				vs = append(vs, summarize.Version{TicketID: id, ContentHash: tk.ContentHash()})
			}
			if err := p.Process(ctx, "current"); err != nil {
				t.Fatal(err)
			}
			if _, err := store.UpsertTicket(ctx, batchTicket("edited", "a newer thread")); err != nil {
				t.Fatal(err)
			}
			vs = append(vs, summarize.Version{TicketID: "gone", ContentHash: "x"})
			sum.calls.Store(0)
			saved.Store(0)
			errs, err := p.ProcessBatch(ctx, vs, 3)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range vs {
				if v.TicketID == "gone" {
					// Passed over by the batch store; ENOTFOUND one at a time,
					// which the queue settles as a gone ticket.
					if errs[i] != nil && ticketsum.ErrorCodeOf(errs[i]) != ticketsum.ENOTFOUND {
						t.Errorf("gone ticket: err %v", errs[i])
					}
					continue
				}
				if want := v.TicketID == "throttled"; (errs[i] != nil) != want || want && ticketsum.ErrorCodeOf(errs[i]) != ticketsum.ETHROTTLED {
					t.Errorf("ticket %s: err %v", v.TicketID, errs[i])
				}
			}
			if got := sum.calls.Load(); got != 3 {
				t.Errorf("summariser calls = %d, want 3 (new1, new2, throttled)", got)
			}
			if got := saved.Load(); got != 2 {
				t.Errorf("summaries saved = %d, want 2", got)
			}
			for _, id := range []string{"new1", "new2"} {
				if cur, err := store.CurrentSummary(ctx, id); err != nil || cur.Text != "Fixed." {
					t.Errorf("current summary of %s = %+v, %v", id, cur, err)
				}
			}
		})
	}
}
