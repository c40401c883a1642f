package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum/storetest"
)

// TestBatch checks the multi-row paths of a backfill (storetest.RunBatch).
func TestBatch(t *testing.T) {
	t.Parallel()
	storetest.RunBatch[pgx.Tx](t, MustOpen(t))
}
