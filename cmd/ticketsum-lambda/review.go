package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/review"
)

// reviewSampler returns the pipeline's OnSaved hook that queues every
// summary the quality checks flagged (review.QualityFlags) and samples the
// others into the review queue at s.ReviewShare (none when 0 or negative),
// exactly as the worker, backfill and serve do at server.review_share
// (review.Sampled chooses the same summaries whichever process made them).
func reviewSampler(ctx context.Context, s settings, store *postgres.Store, logger *slog.Logger) (func(context.Context, *ticketsum.Summary), error) {
	st, err := review.NewSQLStore(stdlib.OpenDBFromPool(store.Pool()), review.Postgres)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate review tables: %w", err)
	}
	svc, err := review.New(review.Config{Store: st, Tickets: store, SampleShare: max(s.ReviewShare, 0), NoSampling: s.ReviewShare <= 0, Logger: logger})
	if err != nil {
		return nil, err
	}
	return svc.OnSaved, nil
}
