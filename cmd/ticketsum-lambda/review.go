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

// reviewSampler returns the pipeline's OnSaved hook that samples new
// summaries into the review queue at s.ReviewShare, exactly as the
// worker, backfill and serve do at server.review_share (review.Sampled
// chooses the same summaries whichever process made them), or nil when
// the share is 0 or negative.
func reviewSampler(ctx context.Context, s settings, store *postgres.Store, logger *slog.Logger) (func(context.Context, *ticketsum.Summary), error) {
	if s.ReviewShare <= 0 {
		return nil, nil
	}
	st, err := review.NewSQLStore(stdlib.OpenDBFromPool(store.Pool()), review.Postgres)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate review tables: %w", err)
	}
	svc, err := review.New(review.Config{Store: st, Tickets: store, SampleShare: s.ReviewShare, Logger: logger})
	if err != nil {
		return nil, err
	}
	return svc.OnSaved, nil
}
