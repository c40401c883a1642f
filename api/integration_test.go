package api_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/audit"
)

// MustTrail opens a real audit trail on SQLite in a temp dir.
func MustTrail(tb testing.TB) *audit.Trail {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(tb.TempDir(), "audit.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	_, key, _ := ed25519.GenerateKey(nil)
	trail, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKey: key, Clock: fixedClock{testNow}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := trail.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return trail
}

// TestGovernanceFromRealCalls sends allowed and refused calls through the
// API, governed by the real access service and recorded by the real audit
// trail, and reads them back from /api/governance.
func TestGovernanceFromRealCalls(t *testing.T) {
	t.Parallel()
	trail := MustTrail(t)
	mw, err := audit.Middleware(audit.MiddlewareConfig{Trail: trail, Clock: fixedClock{testNow}})
	if err != nil {
		t.Fatal(err)
	}
	f := MustFixtureWith(t, trail, mw)
	srv := MustServer(t, f, func(c *api.Config) { c.Budgets, c.Audit = f.svc, trail })
	calls := []struct{ key, model string }{
		{f.keys["good"], modelAllowed}, {f.keys["good"], modelAllowed}, // 2 successes
		{f.keys["good"], modelOther},      // forbidden: not in allow-list
		{f.keys["good"], modelUnapproved}, // forbidden: not approved
		{f.keys["broke"], modelAllowed},   // quota
		{f.keys["revoked"], modelAllowed}, // 401 at the API: never reaches a model
	}
	for _, c := range calls {
		do(t, "POST", srv.URL+"/v1/chat/completions", c.key, `{"model":"`+c.model+`","messages":[{"role":"user","content":"hi"}]}`)
	}
	resp := do(t, "GET", srv.URL+"/api/governance", "", "")
	body, _ := io.ReadAll(resp.Body)
	var g api.Governance
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if g.Totals.Calls != 5 || g.Totals.Denied != 3 {
		t.Errorf("totals %+v, want 5 calls with 3 denied", g.Totals)
	}
	denied := map[string]int{}
	for _, d := range g.Denials {
		denied[d.Reason+" "+d.Principal+" "+d.Model] += d.Count
	}
	for _, want := range []string{"forbidden team-a " + modelOther, "forbidden team-a " + modelUnapproved, "quota_exceeded team-broke " + modelAllowed} {
		if denied[want] != 1 {
			t.Errorf("denials %v lack %q", denied, want)
		}
	}
	for _, p := range g.Principals {
		if p.Principal == "team-a" && (p.Calls != 4 || p.SpentUSD != 0.003) {
			t.Errorf("team-a %+v, want 4 calls and $0.003 spent", p)
		}
	}
	actions := map[string]bool{}
	for _, a := range g.AdminActions {
		actions[a.Action] = true
	}
	for _, want := range []string{"model.approve", "principal.create", "key.create", "key.revoke"} {
		if !actions[want] {
			t.Errorf("admin actions %v lack %s", g.AdminActions, want)
		}
	}
	if !g.Trail.OK || g.Trail.Records < 14 {
		t.Errorf("trail %+v, want intact with every record", g.Trail)
	}
}
