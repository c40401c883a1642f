package cli

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
	pcfg, err := w.postgresConfig(ctx)
	if err != nil {
		return nil, err
	}
	// One connection per worker slot and River's own; a pool_max_conns in
	// the URL wins.
	pcfg.MaxConns = queue.PoolSize(w.workerSlots())
	st, err := postgres.Open(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { st.Close(); return nil })
	// A job whose thread changed after it was queued is skipped: the job for
	// the newer thread (debounced by watch) makes the one model call.
	qcfg.CurrentHash = queue.StoreHash(st)
	q, err := queue.NewPostgres(ctx, st, qcfg)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(st.Pool())
	w.closers = append(w.closers, db.Close)
	return &backend{store: st, queue: q, db: db, dialect: review.Postgres}, nil
}

// postgresConfig is the store configuration for the configured database,
// with IAM authentication tokens as the password when source.iam_auth is
// set (RDS, Aurora).
func (w *wiring) postgresConfig(ctx context.Context) (postgres.Config, error) {
	pcfg := postgres.Config{URL: w.cfg.DB, Logger: w.logger}
	if w.cfg.Source.IAMAuth {
		pw, err := w.rdsPassword(ctx, w.cfg.DB)
		if err != nil {
			return pcfg, err
		}
		pcfg.Password = pw
	}
	return pcfg, nil
}
