package main

import (
	"context"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/review"
)

// openPostgres opens the Postgres store (migrating the ticketsum schema) and
// a River queue in the same schema.
func (w *wiring) openPostgres(ctx context.Context, qcfg queue.Config) (*backend, error) {
	st, err := postgres.Open(ctx, postgres.Config{URL: w.cfg.DB, Logger: w.logger})
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { st.Close(); return nil })
	q, err := queue.NewPostgres(ctx, st, qcfg)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(st.Pool())
	w.closers = append(w.closers, db.Close)
	return &backend{store: st, queue: q, db: db, dialect: review.Postgres}, nil
}
