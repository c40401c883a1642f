package access_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// TestAuthenticateAfterConnectionsCut cuts every connection of a busy
// pool (a Postgres restart, a failover, pg_terminate_backend): each pooled
// connection then fails the first statement sent on it. serve answered the
// API requests whose key check reread the access version on such a
// connection with 500 "internal error" (seen with serve, two workers and
// admin commands on one database, their connections terminated mid-run).
// The version is read again on another connection, so the request is
// served; and when the database is really down, the error is
// "unavailable" (503, retry), not internal.
func TestAuthenticateAfterConnectionsCut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, _ := dbtest.PostgresSchema(t)
	app := "ticketsum_cut_" + strings.ToLower(rand.Text())[:12]
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	cc, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	db := stdlib.OpenDB(*cc,
		// A busy pool: every connection was used within the last second,
		// so pgx does not ping it before reuse.
		stdlib.OptionShouldPing(func(context.Context, stdlib.ShouldPingParams) bool { return false }),
		stdlib.OptionBeforeConnect(func(context.Context, *pgx.ConnConfig) error {
			if down.Load() {
				return errors.New("connection refused (the test's database is down)")
			}
			return nil
		}))
	db.SetMaxOpenConns(dbtest.MaxConns)
	t.Cleanup(func() { db.Close() })
	svc, err := access.NewService(access.Config{Store: MustStore(t, db, access.Postgres), CacheTTL: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	raw, _, err := svc.CreateKey(ctx, "admin", "team-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the pool: every connection open and idle.
	conns := make([]*sql.Conn, dbtest.MaxConns)
	for i := range conns {
		if conns[i], err = db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	if _, err := svc.Authenticate(ctx, raw); err != nil {
		t.Fatalf("before the cut: %v", err)
	}

	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cut := func() {
		t.Helper()
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil || n == 0 {
			t.Fatalf("terminated %d connections: %v", n, err)
		}
		for n > 0 {
			if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond) // past the cache's TTL
	}

	cut()
	if _, err := svc.Authenticate(ctx, raw); err != nil {
		t.Fatalf("a key checked after every pooled connection was cut: %v; want it served on a new connection", err)
	}

	cut()
	down.Store(true)
	_, err = svc.Authenticate(ctx, raw)
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Fatalf("a key checked while the database is down: %v (%s); want unavailable", err, ticketsum.ErrorCodeOf(err))
	}
	t.Log(ticketsum.ErrorMessage(err))
	down.Store(false)
	if _, err := svc.Authenticate(ctx, raw); err != nil {
		t.Fatalf("once the database is back: %v", err)
	}
}
