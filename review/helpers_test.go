package review_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sqlite"
)

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *fixedClock {
	return &fixedClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

// env is a review service on a fresh SQLite database shared with the
// ticket store, as the wiring code sets it up.
type env struct {
	Tickets *sqlite.Store
	Store   *review.SQLStore
	Svc     *review.Service
	Clock   *fixedClock
}

// MustEnv opens a fresh environment; adjust tunes the Config before New.
func MustEnv(tb testing.TB, adjust func(*review.Config)) *env {
	tb.Helper()
	ctx := context.Background()
	tickets, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(tb.TempDir(), "ticketsum.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tickets.Close() })
	st, err := review.NewSQLStore(tickets.DB(), review.SQLite)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	clock := newClock()
	cfg := review.Config{Store: st, Tickets: tickets, Clock: clock, Seed: 42, CSRFSecret: []byte("0123456789abcdef0123456789abcdef")}
	if adjust != nil {
		adjust(&cfg)
	}
	svc, err := review.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{Tickets: tickets, Store: st, Svc: svc, Clock: clock}
}

// MustTicket stores a ticket with a customer and two messages.
func (e *env) MustTicket(tb testing.TB, id string) *ticketsum.Ticket {
	tb.Helper()
	t := &ticketsum.Ticket{
		ID: id, Subject: "Refund for order " + id, ProductLine: "billing",
		Customer: ticketsum.Customer{Name: "Maria Jensen", Email: "maria.jensen@example.com"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Maria Jensen", Body: "I was charged twice for order " + id + ". Please refund one charge. Maria"},
			{Role: ticketsum.RoleAgent, Author: "Sam (support)", Body: "I have refunded the duplicate charge; it shows within five days."},
		},
	}
	if _, err := e.Tickets.UpsertTicket(context.Background(), t); err != nil {
		tb.Fatal(err)
	}
	return t
}

// MustSummary saves a summary of t by model and returns it with its id.
func (e *env) MustSummary(tb testing.TB, t *ticketsum.Ticket, model, text string) *ticketsum.Summary {
	tb.Helper()
	s := &ticketsum.Summary{
		TicketID: t.ID, Text: text, Status: ticketsum.StatusResolved, Model: model, PromptVersion: "default-v1",
		ContentHash: t.ContentHash(), CreatedAt: e.Clock.Now(),
	}
	if _, err := e.Tickets.SaveSummary(context.Background(), s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// task returns a two-candidate task for the store suite.
func task(id, source string, m review.Method, at time.Time) *review.Task {
	return &review.Task{
		ID: id, Source: source, TicketID: "T-" + id, Method: m, CreatedAt: at,
		Candidates: []review.Candidate{
			{Label: "A", Text: "Summary one of " + id, Config: "haiku/v1", Model: "bedrock:haiku", PromptVersion: "v1"},
			{Label: "B", Text: "Summary two of " + id, Config: "nova/v1", Model: "bedrock:nova", PromptVersion: "v1", SummaryID: 7},
		},
	}
}

func mustNoErr(tb testing.TB, err error, what string, args ...any) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
