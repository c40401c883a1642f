package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/postgres"
)

// MustApprove approves models in the schema's registry, as an administrator
// does with `ticketsum models approve` before the first deployment.
func MustApprove(tb testing.TB, url, schema string, models ...string) {
	tb.Helper()
	st, err := postgres.Open(tb.Context(), postgres.Config{URL: url, Schema: schema, MaxConns: 2})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	g, err := guard.New(guard.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	db := stdlib.OpenDBFromPool(st.Pool())
	defer db.Close()
	gov, err := app.NewGovernance(tb.Context(), app.GovernanceConfig{DB: db, Dialect: access.Postgres, Guard: g, SigningKey: key})
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range models {
		if err := gov.Access.ApproveModel(tb.Context(), "admin", m, "test"); err != nil {
			tb.Fatal(err)
		}
	}
}

// A model nobody approved stops the function at start, with the command
// that fixes it, rather than dropping every ticket.
func TestUnapprovedModelFailsStart(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema, "TICKETSUM_MODEL": testModel}))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	_, err = newFunction(t.Context(), s, deps{Log: &logs})
	if err == nil || !strings.Contains(err.Error(), "ticketsum models approve "+testModel) {
		t.Fatalf("newFunction = %v, want a not-approved error naming the fix", err)
	}
}
