package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// RunAnswers runs the answer-store suite (ticketsum.AnswerStore). open must
// return a new, empty store for each call and close it when t ends.
func RunAnswers(t *testing.T, open func(t *testing.T) ticketsum.AnswerStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ticketsum.AnswerStore)
	}{
		{"RoundTrip", testAnswerRoundTrip},
		{"FirstAnswerKept", testAnswerFirstKept},
		{"KeyedByRequestedModel", testAnswerKeyedByRequestedModel},
		{"OtherKeysNotFound", testAnswerOtherKeysNotFound},
		{"Invalid", testAnswerInvalid},
		{"ConcurrentSave", testAnswerConcurrentSave},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// mustAnswer is a paid answer for a ticket that is not stored: answers do
// not need their ticket.
func mustAnswer(tb testing.TB, model string, opts ...func(*ticketsum.Summary)) *ticketsum.Summary {
	tb.Helper()
	a := MustSummary(tb, MustTicket(tb, "T-answer"), model, func(s *ticketsum.Summary) {
		s.Latency = 0 // not part of the recorded answer
		s.Flags = []string{"repaired:preamble", ticketsum.FlagStatusInferred, ticketsum.FlagTruncated}
		s.StatusInferred, s.Truncated = true, true
	})
	for _, o := range opts {
		o(a)
	}
	return a
}

func mustFindAnswer(tb testing.TB, s ticketsum.AnswerStore, k ticketsum.AnswerKey) *ticketsum.Summary {
	tb.Helper()
	a, err := s.FindAnswer(context.Background(), k)
	if err != nil {
		tb.Fatalf("find answer %+v: %v", k, err)
	}
	return a
}

func testAnswerRoundTrip(t *testing.T, s ticketsum.AnswerStore) {
	a := mustAnswer(t, "bedrock:m")
	if err := s.SaveAnswer(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	got := mustFindAnswer(t, s, ticketsum.AnswerKeyOf(a))
	if !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("created at %v, want %v", got.CreatedAt, a.CreatedAt)
	}
	got.CreatedAt = a.CreatedAt
	if !reflect.DeepEqual(got, a) {
		t.Errorf("answer read back\n%+v\nwant\n%+v", got, a)
	}
}

func testAnswerFirstKept(t *testing.T, s ticketsum.AnswerStore) {
	first := mustAnswer(t, "bedrock:m")
	second := mustAnswer(t, "bedrock:m", func(a *ticketsum.Summary) { a.Text, a.CostUSD = "A second, different answer.", 0.5 })
	for _, a := range []*ticketsum.Summary{first, second} {
		if err := s.SaveAnswer(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustFindAnswer(t, s, ticketsum.AnswerKeyOf(first)); got.Text != first.Text || got.CostUSD != first.CostUSD {
		t.Errorf("kept %q at $%v, want the first answer", got.Text, got.CostUSD)
	}
}

func testAnswerKeyedByRequestedModel(t *testing.T, s ticketsum.AnswerStore) {
	a := mustAnswer(t, "bedrock:fallback", func(a *ticketsum.Summary) { a.RequestedModel = "bedrock:asked" })
	if err := s.SaveAnswer(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	k := ticketsum.AnswerKeyOf(a)
	if k.Model != "bedrock:asked" {
		t.Fatalf("key model %q, want the requested model", k.Model)
	}
	if got := mustFindAnswer(t, s, k); got.Model != "bedrock:fallback" || got.RequestedModel != "bedrock:asked" {
		t.Errorf("answer models %q / %q", got.Model, got.RequestedModel)
	}
	k.Model = "bedrock:fallback"
	_, err := s.FindAnswer(context.Background(), k)
	assertCode(t, err, ticketsum.ENOTFOUND, "find under the fallback's name")
}

func testAnswerOtherKeysNotFound(t *testing.T, s ticketsum.AnswerStore) {
	a := mustAnswer(t, "bedrock:m")
	if err := s.SaveAnswer(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	k := ticketsum.AnswerKeyOf(a)
	for name, other := range map[string]func(*ticketsum.AnswerKey){
		"other ticket":         func(k *ticketsum.AnswerKey) { k.TicketID = "T-other" },
		"changed thread":       func(k *ticketsum.AnswerKey) { k.ContentHash = "0000" },
		"other model":          func(k *ticketsum.AnswerKey) { k.Model = "bedrock:other" },
		"other prompt version": func(k *ticketsum.AnswerKey) { k.PromptVersion = "v2" },
	} {
		kk := k
		other(&kk)
		_, err := s.FindAnswer(context.Background(), kk)
		assertCode(t, err, ticketsum.ENOTFOUND, name)
	}
}

func testAnswerInvalid(t *testing.T, s ticketsum.AnswerStore) {
	for name, bad := range map[string]func(*ticketsum.Summary){
		"no model":       func(a *ticketsum.Summary) { a.Model = "" },
		"no hash":        func(a *ticketsum.Summary) { a.ContentHash = "" },
		"unknown status": func(a *ticketsum.Summary) { a.Status = "done" },
		"NUL in text":    func(a *ticketsum.Summary) { a.Text = "a\x00b" },
	} {
		err := s.SaveAnswer(context.Background(), mustAnswer(t, "bedrock:m", bad))
		assertCode(t, err, ticketsum.EINVALID, name)
	}
	assertCode(t, s.SaveAnswer(context.Background(), nil), ticketsum.EINVALID, "nil answer")
}

func testAnswerConcurrentSave(t *testing.T, s ticketsum.AnswerStore) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.SaveAnswer(context.Background(), mustAnswer(t, "bedrock:m", func(a *ticketsum.Summary) { a.Text = fmt.Sprintf("Answer %d.", i) }))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent save: %v", err)
		}
	}
	mustFindAnswer(t, s, ticketsum.AnswerKeyOf(mustAnswer(t, "bedrock:m")))
}
