package source_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/source"
)

// The main flow: open ticketsum's store in the team's database, map the
// team's tables, backfill a week, then watch for changes. Enqueue is the
// queue's River client inserting a summarise job (cmd/ticketsum wires it).
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, postgres.Config{URL: "postgres://ticketsum@db.internal/support?sslmode=verify-full"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	src, err := source.Open(ctx, store, source.Config{
		Mapping: source.Mapping{
			Tickets: source.TicketsTable{Table: "public.tickets", Subject: "subject", UpdatedAt: "updated_at"},
			Messages: source.MessagesTable{Table: "public.ticket_messages", Role: "author_type", Body: "body",
				Roles: map[string]string{"end_user": "customer", "staff": "agent", "note": "internal"}},
			WriteBack: "UPDATE public.tickets SET ai_summary = $2, ai_summary_status = $3 WHERE id = $1",
		},
		Enqueue: func(ctx context.Context, tx pgx.Tx, ticketID, hash string, runAt time.Time) error {
			return nil // queue.Queue's River client: InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: runAt, ...})
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	p, err := src.Backfill(ctx, source.BackfillOptions{Since: time.Now().AddDate(0, 0, -7)})
	fmt.Println(p.Done, p.Total, err)
	_ = src.Watch(ctx) // until ctx ends
}
