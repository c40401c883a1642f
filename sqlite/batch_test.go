package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/ticketsum/ticketsum/storetest"
)

// TestBatch checks the multi-row paths of a bulk import
// (storetest.RunBatch).
func TestBatch(t *testing.T) {
	t.Parallel()
	storetest.RunBatch[*sql.Tx](t, MustOpen(t))
}
