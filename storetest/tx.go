package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// TxUpserter is a store that upserts a ticket and, when its thread changed,
// runs a callback inside the same transaction, so that work recorded by the
// callback (such as a queued job) commits or rolls back with the ticket. TTx
// is the store's transaction type: *sql.Tx for SQLite, pgx.Tx for Postgres.
type TxUpserter[TTx any] interface {
	ticketsum.Store
	// UpsertTicketTx is UpsertTicket that calls onChange with the open
	// transaction when changed is true. An error from onChange rolls the
	// upsert back and is returned.
	UpsertTicketTx(ctx context.Context, t *ticketsum.Ticket, onChange func(ctx context.Context, tx TTx) error) (changed bool, err error)
}

// RunTx runs the suite of the transactional upsert.
func RunTx[TTx any](t *testing.T, open func(t *testing.T) TxUpserter[TTx]) {
	t.Run("CallbackOnlyOnChange", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		calls := 0
		onChange := func(ctx context.Context, tx TTx) error { calls++; return nil }
		steps := []struct {
			tk        *ticketsum.Ticket
			wantCalls int
		}{
			{MustTicket(t, "T-1"), 1},
			{MustTicket(t, "T-1"), 1},
			{MustTicket(t, "T-1", WithReply("news?")), 2},
		}
		for i, st := range steps {
			changed, err := s.UpsertTicketTx(context.Background(), st.tk, onChange)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if calls != st.wantCalls || changed != (i != 1) {
				t.Errorf("step %d: changed %v, %d callback calls; want %d calls", i, changed, calls, st.wantCalls)
			}
		}
	})
	t.Run("CallbackErrorRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		boom := errors.New("enqueue failed")
		fail := func(ctx context.Context, tx TTx) error { return boom }
		if _, err := s.UpsertTicketTx(context.Background(), MustTicket(t, "T-1"), fail); !errors.Is(err, boom) {
			t.Fatalf("upsert with failing callback: err = %v, want %v", err, boom)
		}
		_, err := s.FindTicket(context.Background(), "T-1")
		assertCode(t, err, ticketsum.ENOTFOUND, "find a ticket whose insert was rolled back")

		old := MustTicket(t, "T-1")
		MustUpsert(t, s, old)
		if _, err := s.UpsertTicketTx(context.Background(), MustTicket(t, "T-1", WithReply("x")), fail); !errors.Is(err, boom) {
			t.Fatalf("edit with failing callback: err = %v", err)
		}
		assertTicket(t, mustFind(t, s, "T-1"), old)
		// The rolled-back edit is still a change on the next try.
		changed, err := s.UpsertTicketTx(context.Background(), MustTicket(t, "T-1", WithReply("x")), func(context.Context, TTx) error { return nil })
		if err != nil || !changed {
			t.Errorf("retry after rollback: changed %v, err %v; want a change", changed, err)
		}
	})
	t.Run("InvalidTicketSkipsCallback", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		called := false
		_, err := s.UpsertTicketTx(context.Background(), &ticketsum.Ticket{ID: "x"}, func(context.Context, TTx) error { called = true; return nil })
		assertCode(t, err, ticketsum.EINVALID, "upsert of a ticket without messages")
		if called {
			t.Error("callback ran for an invalid ticket")
		}
	})
}
