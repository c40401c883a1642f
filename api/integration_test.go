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
	srv := MustServer(t, f, func(c *api.Config) { c.Budgets, c.Audit, c.Trail = f.svc, trail, trail })
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
	summaries := []struct {
		model  string
		status int
	}{{modelAllowed, 200}, {modelOther, 403}} // the second is refused before any model call
	for _, s := range summaries {
		resp := do(t, "POST", srv.URL+"/v1/summaries?model="+s.model, f.keys["good"], ticketJSON)
		if resp.StatusCode != s.status {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("summary with %s: %d, want %d: %s", s.model, resp.StatusCode, s.status, b)
		}
	}
	// Sign the records, as serve's signer does every half digest interval
	// and at exit: a trail with records and no digest is unproven.
	if _, err := trail.WriteDigest(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp := do(t, "GET", srv.URL+"/api/governance", "", "")
	body, _ := io.ReadAll(resp.Body)
	var g api.Governance
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if g.Totals.Calls != 7 || g.Totals.Denied != 4 {
		t.Errorf("totals %+v, want 7 calls with 4 denied", g.Totals)
	}
	denied := map[string]int{}
	for _, d := range g.Denials {
		denied[d.Reason+" "+d.Principal+" "+d.Model] += d.Count
	}
	wantDenied := map[string]int{"forbidden team-a " + modelOther: 2, "forbidden team-a " + modelUnapproved: 1, "quota_exceeded team-broke " + modelAllowed: 1}
	for want, n := range wantDenied {
		if denied[want] != n {
			t.Errorf("denials %v: %q %d times, want %d", denied, want, denied[want], n)
		}
	}
	for _, p := range g.Principals {
		if p.Principal == "team-a" && (p.Calls != 6 || p.SpentUSD != 0.0045) {
			t.Errorf("team-a %+v, want 6 calls and $0.0045 spent", p)
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
