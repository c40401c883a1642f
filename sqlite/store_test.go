package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/storetest"
)

// MustOpen opens a store in a fresh temporary directory, closed when t ends.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "ticketsum.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpen(t) })
}

func TestStoreTx(t *testing.T) {
	t.Parallel()
	storetest.RunTx(t, func(t *testing.T) storetest.TxUpserter[*sql.Tx] { return MustOpen(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store { return MustOpen(b) })
}
