package postgres_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/storetest"
)

// MustOpen opens a store in a freshly named schema of the database at
// TICKETSUM_TEST_DATABASE_URL, dropped when t ends. It skips the test when
// the variable is unset.
func MustOpen(tb testing.TB) *postgres.Store {
	tb.Helper()
	url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if url == "" {
		tb.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	schema := "ts_test_" + strings.ToLower(rand.Text())
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, MaxConns: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			tb.Errorf("drop test schema: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) ticketsum.Store { return MustOpen(t) })
}

func TestStoreTx(t *testing.T) {
	t.Parallel()
	storetest.RunTx(t, func(t *testing.T) storetest.TxUpserter[pgx.Tx] { return MustOpen(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) ticketsum.Store { return MustOpen(b) })
}
