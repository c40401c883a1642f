package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/storetest"
)

// MustOpen opens a store in a fresh schema of the database at
// TICKETSUM_TEST_DATABASE_URL, dropped when tb ends. It skips the test when
// the variable is unset.
func MustOpen(tb testing.TB) *postgres.Store {
	tb.Helper()
	url, schema := dbtest.PostgresSchema(tb)
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, MaxConns: dbtest.MaxConns})
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
	storetest.RunTx(t, func(t *testing.T) storetest.TxUpserter[pgx.Tx] { return MustOpen(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Store { return MustOpen(b) })
}

// TestPoolSize checks that MaxConns sizes the pool unless the URL gives
// pool_max_conns, which wins.
func TestPoolSize(t *testing.T) {
	t.Parallel()
	url, schema := dbtest.PostgresSchema(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	for _, tc := range []struct {
		name string
		url  string
		max  int32
		want int32
	}{
		{"configured", url, 7, 7},
		{"url wins", url + sep + "pool_max_conns=3", 7, 3},
	} {
		s, err := postgres.Open(context.Background(), postgres.Config{URL: tc.url, Schema: schema, MaxConns: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool().Config().MaxConns; got != tc.want {
			t.Errorf("%s: pool max conns = %d, want %d", tc.name, got, tc.want)
		}
		s.Close()
	}
}
