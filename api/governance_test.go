package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/web"
)

var (
	_ api.AuditSource   = (*audit.Trail)(nil)
	_ api.BudgetSource  = (*access.Service)(nil)
	_ api.Authenticator = (*access.Service)(nil)
)

// fakeBudgets is a fixed BudgetSource.
type fakeBudgets struct {
	rows []access.BudgetStatus
	err  error
}

func (f *fakeBudgets) Budgets(context.Context) ([]access.BudgetStatus, error) { return f.rows, f.err }

// fakeAudit is a fixed AuditSource that counts verifications.
type fakeAudit struct {
	usage    map[string][]audit.UsageRow
	since    map[string]time.Time
	events   []*audit.Event
	report   *audit.Report
	err      error
	mu       sync.Mutex
	verifies int
}

func (f *fakeAudit) Usage(_ context.Context, by string, since time.Time) ([]audit.UsageRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.since == nil {
		f.since = map[string]time.Time{}
	}
	f.since[by] = since
	return f.usage[by], nil
}

func (f *fakeAudit) Events(context.Context, int64, int) ([]*audit.Event, error) { return f.events, nil }

func (f *fakeAudit) Verify(context.Context) (*audit.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verifies++
	return f.report, f.err
}

const evilModel = `bedrock:<script>alert("x")</script>`

// newFakeAudit returns a month of made-up usage with every section filled.
func newFakeAudit() *fakeAudit {
	at := func(day int, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	return &fakeAudit{
		usage: map[string][]audit.UsageRow{
			audit.ByPrincipal: {
				{Key: "ghost", Calls: 2, Succeeded: 2, CostUSD: 0.004},
				{Key: "team-a", Calls: 120, Succeeded: 110, Denied: 8, Errors: 2, CostUSD: 2.5,
					Guardrails: map[string]int{"NAME": 40, "EMAIL": 12, "profanity": 1}},
				{Key: "team-broke", Calls: 3, Denied: 3, Guardrails: map[string]int{"NAME": 2}},
			},
			audit.ByModel: {
				{Key: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Calls: 100, Succeeded: 95, Denied: 4, Errors: 1, InputTokens: 180000, OutputTokens: 9000, CostUSD: 1.875},
				{Key: evilModel, Calls: 25, Succeeded: 17, Denied: 7, Errors: 1, InputTokens: 50000, OutputTokens: 2000, CostUSD: 0.629},
			},
			audit.ByDay: {
				{Key: "2026-11-20", Calls: 10, CostUSD: 0.2},
				{Key: "2026-11-22", Calls: 90, Denied: 6, CostUSD: 1.9},
				{Key: "2026-11-25", Calls: 25, Denied: 5, CostUSD: 0.404},
			},
		},
		events: []*audit.Event{
			{Seq: 1, Time: at(1, 8), Kind: audit.KindAdmin, Actor: "admin", Action: "model.approve", Target: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"},
			{Seq: 2, Time: at(1, 9), Kind: audit.KindAdmin, Actor: "admin", Action: "principal.create", Target: "team-a"},
			{Seq: 3, Time: time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC), Kind: audit.KindInvocation, Actor: "team-a", Target: "x", Outcome: "denied", ErrorCode: "forbidden"},
			{Seq: 4, Time: at(20, 9), Kind: audit.KindInvocation, Actor: "team-a", Target: evilModel, Outcome: "denied", ErrorCode: "forbidden"},
			{Seq: 5, Time: at(21, 9), Kind: audit.KindInvocation, Actor: "team-a", Target: evilModel, Outcome: "denied", ErrorCode: "forbidden"},
			{Seq: 6, Time: at(22, 9), Kind: audit.KindInvocation, Actor: "team-broke", Target: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Outcome: "denied", ErrorCode: "quota_exceeded"},
			{Seq: 7, Time: at(22, 10), Kind: audit.KindInvocation, Actor: "team-a", Target: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Outcome: "error", ErrorCode: "throttled"},
			{Seq: 8, Time: at(23, 10), Kind: audit.KindInvocation, Actor: "team-a", Target: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Outcome: "error", ErrorCode: "unavailable"},
			{Seq: 9, Time: at(24, 11), Kind: audit.KindAdmin, Actor: "ops<b>", Action: "key.revoke", Target: "abcdefgh"},
		},
		report: &audit.Report{Records: 9, Digests: 1, SignedThrough: 8, Unsigned: 1},
	}
}

// governanceHandler returns a Handler over the fakes.
func governanceHandler(t testing.TB, b *fakeBudgets, a *fakeAudit) *api.Handler {
	t.Helper()
	f := MustFixture(t)
	h, err := api.New(api.Config{Access: f.svc, Budgets: b, Audit: a, Days: 7, Clock: fixedClock{testNow},
		Nav: []web.Link{{Label: "Review", Path: "/review/"}, {Label: "Governance", Path: "/governance"}}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func fixedBudgets() *fakeBudgets {
	return &fakeBudgets{rows: []access.BudgetStatus{
		{Principal: "team-a", MonthlyBudgetUSD: 10, SpentUSD: 2.5, ReservedUSD: 0.01, Period: "2026-11"},
		{Principal: "team-broke", MonthlyBudgetUSD: 0, Period: "2026-11"},
		{Principal: "team-idle", MonthlyBudgetUSD: 5, Period: "2026-11"},
	}}
}

func get(t *testing.T, h *api.Handler, path string) (int, string, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Header().Get("Content-Type"), body
}

// TestGovernanceGolden renders the page and the JSON from fixed data.
func TestGovernanceGolden(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, golden, ctype string }{
		{"/governance", "governance.html.golden", "text/html"},
		{"/api/governance", "governance.json.golden", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			a := newFakeAudit()
			status, ctype, body := get(t, governanceHandler(t, fixedBudgets(), a), tt.path)
			if status != 200 || !strings.HasPrefix(ctype, tt.ctype) {
				t.Fatalf("status %d %s: %s", status, ctype, body)
			}
			if tt.ctype == "application/json" {
				var buf bytes.Buffer
				json.Indent(&buf, body, "", "  ")
				body = buf.Bytes()
			}
			golden(t, tt.golden, body)
			if want := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC); !a.since[audit.ByPrincipal].Equal(want) {
				t.Errorf("usage by principal since %v, want the month's start", a.since[audit.ByPrincipal])
			}
			if want := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC); !a.since[audit.ByDay].Equal(want) {
				t.Errorf("usage by day since %v, want 7 days ending today", a.since[audit.ByDay])
			}
		})
	}
}

// TestGovernanceJSON checks the computed figures independently of the
// golden file.
func TestGovernanceJSON(t *testing.T) {
	t.Parallel()
	_, _, body := get(t, governanceHandler(t, fixedBudgets(), newFakeAudit()), "/api/governance")
	var g api.Governance
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatal(err)
	}
	if g.Period != "2026-11" || g.Totals.Calls != 125 || g.Totals.Denied != 11 || len(g.Days) != 7 {
		t.Errorf("period %s totals %+v days %d", g.Period, g.Totals, len(g.Days))
	}
	byName := map[string]api.PrincipalSpend{}
	for _, p := range g.Principals {
		byName[p.Principal] = p
	}
	if p := byName["team-a"]; p.UsedPercent != 25.1 || p.Calls != 120 || p.BudgetUSD == nil || *p.BudgetUSD != 10 {
		t.Errorf("team-a %+v", p)
	}
	if p := byName["ghost"]; p.BudgetUSD != nil || p.SpentUSD != 0.004 || p.UsedPercent != 100 {
		t.Errorf("ghost (calls, no principal) %+v", p)
	}
	if p := byName["team-idle"]; p.UsedPercent != 0 || p.Calls != 0 {
		t.Errorf("team-idle %+v", p)
	}
	if g.Guardrails[0] != (api.Count{Type: "NAME", Count: 42}) {
		t.Errorf("guardrails %+v, want NAME 42 first", g.Guardrails)
	}
	want := []api.Denial{
		{Reason: "forbidden", Label: "model not approved or not in the allow-list", Principal: "team-a", Model: evilModel, Count: 2},
		{Reason: "quota_exceeded", Label: "monthly budget spent", Principal: "team-broke", Model: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Count: 1},
		{Reason: "throttled", Label: "rate limited", Principal: "team-a", Model: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", Count: 1},
	}
	if len(g.Denials) != len(want) {
		t.Fatalf("denials %+v, want %+v", g.Denials, want)
	}
	for i := range want {
		if g.Denials[i] != want[i] {
			t.Errorf("denial %d: %+v, want %+v", i, g.Denials[i], want[i])
		}
	}
	if len(g.AdminActions) != 3 || g.AdminActions[0].Action != "key.revoke" {
		t.Errorf("admin actions %+v, want 3, newest first", g.AdminActions)
	}
	if g.Days[1].Day != "2026-11-20" || g.Days[1].Calls != 10 || g.Days[6].Day != "2026-11-25" || g.Days[0].Calls != 0 {
		t.Errorf("days %+v", g.Days)
	}
	if !g.Trail.OK || g.Trail.Records != 9 {
		t.Errorf("trail %+v", g.Trail)
	}
}

// TestGovernanceEscaping shows untrusted names as text, never markup.
func TestGovernanceEscaping(t *testing.T) {
	t.Parallel()
	_, _, body := get(t, governanceHandler(t, fixedBudgets(), newFakeAudit()), "/governance")
	page := string(body)
	for _, raw := range []string{"<script>", "ops<b>"} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	for _, esc := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "ops&lt;b&gt;"} {
		if !strings.Contains(page, esc) {
			t.Errorf("page lacks escaped %q", esc)
		}
	}
}

// TestGovernanceTrailStatus shows problems, a failed verification, and
// caches the verification for VerifyEvery.
func TestGovernanceTrailStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		report  *audit.Report
		err     error
		page    string
		wantOK  bool
		wantErr bool
	}{
		{"intact", &audit.Report{Records: 3}, nil, "Intact.", true, false},
		{"tampered", &audit.Report{Records: 3, Problems: []audit.Problem{{Kind: audit.ProblemEdited, Seq: 2, Message: "record 2 was edited"}}}, nil,
			"1 integrity problems", false, false},
		{"unreadable", nil, errors.New("disk on fire"), "could not be read to verify it", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newFakeAudit()
			a.report, a.err = tt.report, tt.err
			h := governanceHandler(t, fixedBudgets(), a)
			_, _, page := get(t, h, "/governance")
			if !strings.Contains(string(page), tt.page) {
				t.Errorf("page does not say %q", tt.page)
			}
			if strings.Contains(string(page), "disk on fire") {
				t.Error("page shows the internal error")
			}
			_, _, body := get(t, h, "/api/governance")
			var g api.Governance
			json.Unmarshal(body, &g)
			if g.Trail.OK != tt.wantOK || (g.Trail.Error != "") != tt.wantErr {
				t.Errorf("trail %+v", g.Trail)
			}
			want := 1
			if tt.err != nil {
				want = 2 // failures are not cached
			}
			if a.verifies != want {
				t.Errorf("verified %d times for two requests, want %d", a.verifies, want)
			}
		})
	}
}

// TestGovernanceErrors answers a failing source with an error page or body
// that does not leak the cause.
func TestGovernanceErrors(t *testing.T) {
	t.Parallel()
	b := fixedBudgets()
	b.err = errors.New("connection refused to db.internal:5432")
	h := governanceHandler(t, b, newFakeAudit())
	for _, path := range []string{"/governance", "/api/governance"} {
		status, _, body := get(t, h, path)
		if status != 500 || !strings.Contains(string(body), "internal error") || strings.Contains(string(body), "db.internal") {
			t.Errorf("%s: status %d body %s", path, status, body)
		}
	}
}

func governanceHandlerB(b *testing.B, a *fakeAudit) *api.Handler {
	return governanceHandler(b, fixedBudgets(), a)
}

// mustHandler returns a Handler with every API route over the fixture.
func mustHandler(tb testing.TB, f *fixture) *api.Handler {
	tb.Helper()
	h, err := api.New(api.Config{Access: f.svc, Models: f.models.Model, ModelNames: f.models.Names,
		Summarizers: f.summarizers(), DefaultModel: modelAllowed, Clock: fixedClock{testNow}})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
