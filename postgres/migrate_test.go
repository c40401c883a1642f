package postgres_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
)

// Several workers starting at once on a new schema all open it, and the
// migrations are applied exactly once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	schema := "ts_test_" + strings.ToLower(rand.Text())
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`)
			conn.Close(ctx)
		}
	})
	const n = 5
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(ctx, postgres.Config{URL: url, Schema: schema, MaxConns: 2})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows, distinct int
	err := stores[0].Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM ticketsum_migrations`).Scan(&rows, &distinct)
	if err != nil || rows == 0 || rows != distinct {
		t.Errorf("migration records: %d rows, %d versions (%v); want each version once", rows, distinct, err)
	}
	if _, err := stores[n-1].UpsertTicket(ctx, &ticketsum.Ticket{ID: "x", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "hi"}}}); err != nil {
		t.Errorf("upsert on a concurrently migrated schema: %v", err)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	cases := []postgres.Config{
		{},
		{URL: "postgres://x@127.0.0.1/db", Schema: "Bad-Name"},
		{URL: "postgres://x@127.0.0.1/db", Schema: "x; DROP TABLE y"},
		{URL: "postgres://x@127.0.0.1/db", MaxConns: -1},
		{URL: "::not a url::"},
	}
	for _, c := range cases {
		_, err := postgres.Open(context.Background(), c)
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("Open(%+v) = %v, want EINVALID", c, err)
		}
	}
}

func TestUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := postgres.Open(ctx, postgres.Config{URL: "postgres://postgres:secret-pw@127.0.0.1:1/x?connect_timeout=1"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("open of an unreachable server = %v, want EUNAVAILABLE", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("error shows the password: %v", err)
	}
}
