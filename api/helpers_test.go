package api_test

import (
	"context"
	"database/sql"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedClock is a clock that stands still.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// testNow is the time every test runs at.
var testNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// Model names of the fixture.
const (
	modelAllowed    = "fake:allowed-1" // approved, allowed for team-a
	modelUnapproved = "fake:allowed-2" // allowed by team-a's glob, not approved
	modelOther      = "fake:other"     // approved, not in team-a's allow-list
	modelRetired    = "fake:allowed-9" // approved, allowed for team-a, no provider serves it
)

// fixture is a real access service on SQLite in a temp dir with principals
// and keys for every case of the authorization matrix.
type fixture struct {
	svc    *access.Service
	models *modelSet
	keys   map[string]string // good, revoked, expired, broke
}

// MustFixture builds the fixture.
func MustFixture(tb testing.TB) *fixture {
	tb.Helper()
	return MustFixtureWith(tb, nil, nil)
}

// MustFixtureWith builds the fixture with an admin recorder for the access
// service and a wrapper put outside each governed model (the audit
// middleware), either of which may be nil.
func MustFixtureWith(tb testing.TB, rec access.AdminRecorder, outer func(ticketsum.Model) ticketsum.Model) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(tb.TempDir(), "access.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	store, err := access.NewSQLStore(db, access.SQLite)
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	svc, err := access.NewService(access.Config{Store: store, Clock: fixedClock{testNow}, Recorder: rec})
	if err != nil {
		tb.Fatal(err)
	}
	past, err := access.NewService(access.Config{Store: store, Clock: fixedClock{testNow.AddDate(0, 0, -100)}, Recorder: rec})
	if err != nil {
		tb.Fatal(err)
	}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(svc.ApproveModel(ctx, "admin", modelAllowed, "eval run 1"))
	must(svc.ApproveModel(ctx, "admin", modelOther, ""))
	must(svc.ApproveModel(ctx, "admin", modelRetired, ""))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"fake:allowed-*"}, MonthlyBudgetUSD: 10}))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-broke", Models: []string{"fake:*"}, MonthlyBudgetUSD: 0}))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-slow", Models: []string{"fake:*"}, MonthlyBudgetUSD: 10, RequestsPerMinute: 2}))
	keys := map[string]string{}
	key := func(s *access.Service, principal string, ttl time.Duration, scopes ...string) string {
		raw, _, err := s.CreateKey(ctx, "admin", principal, ttl, scopes...)
		must(err)
		return raw
	}
	keys["good"] = key(svc, "team-a", 0)
	keys["revoked"] = key(svc, "team-a", 0)
	must(svc.RevokeKey(ctx, "admin", keys["revoked"]))
	keys["expired"] = key(past, "team-a", 30*24*time.Hour)
	keys["broke"] = key(svc, "team-broke", 0)
	keys["slow"] = key(svc, "team-slow", 0, access.ScopeSummarize, access.ScopeTicketsWrite, access.ScopeRead)
	keys["writer-a"] = key(svc, "team-a", 0, access.ScopeSummarize, access.ScopeTicketsWrite)
	keys["admin"] = key(svc, "team-a", 0, access.ScopeAdmin)
	estimate := func(string, *ticketsum.ModelRequest) (float64, error) { return 0.01, nil }
	ms := &modelSet{m: map[string]ticketsum.Model{}}
	for _, name := range []string{modelAllowed, modelUnapproved, modelOther} {
		e := &echoModel{name: name, set: ms}
		ms.m[name] = access.Middleware(svc, estimate)(e)
		if outer != nil {
			ms.m[name] = outer(ms.m[name])
		}
	}
	return &fixture{svc: svc, models: ms, keys: keys}
}

// modelSet is the governed models of the fixture; it records the last
// request a model received.
type modelSet struct {
	mu   sync.Mutex
	m    map[string]ticketsum.Model
	last *ticketsum.ModelRequest
	// asked holds every name Model was asked to build.
	asked []string
}

func (s *modelSet) Model(name string) (ticketsum.Model, error) {
	s.mu.Lock()
	s.asked = append(s.asked, name)
	s.mu.Unlock()
	if m, ok := s.m[name]; ok {
		return m, nil
	}
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no model %s", name)
}

func (s *modelSet) Names() []string {
	return []string{modelOther, modelUnapproved, modelAllowed}
}

func (s *modelSet) Last() *ticketsum.ModelRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// echoModel answers with the last user message, upper-cased.
type echoModel struct {
	name string
	set  *modelSet
}

func (m *echoModel) Name() string { return m.name }

func (m *echoModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	m.set.mu.Lock()
	m.set.last = req
	m.set.mu.Unlock()
	last := req.Messages[len(req.Messages)-1].Content
	return &ticketsum.ModelResponse{Text: strings.ToUpper(last), Model: m.name, StopReason: "end_turn",
		Usage: ticketsum.Usage{InputTokens: 11, OutputTokens: 7, CacheReadTokens: 2}, CostUSD: 0.0015}, nil
}

// modelSummarizer is a summarizer that asks a governed model for one
// sentence, as the LLM summarizer does, so governance errors pass through.
type modelSummarizer struct {
	model     ticketsum.Model
	principal string
	requestID string
}

func (s *modelSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	resp, err := s.model.Generate(ctx, &ticketsum.ModelRequest{
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "The customer asked about " + t.Subject + "."}},
		Meta:     ticketsum.CallMeta{Principal: s.principal, RequestID: s.requestID, TicketID: t.ID},
	})
	if err != nil {
		return nil, err
	}
	return &ticketsum.Summary{TicketID: t.ID, Text: resp.Text, Status: ticketsum.StatusResolved, Model: resp.Model,
		PromptVersion: "v-test", Usage: resp.Usage, CostUSD: resp.CostUSD, Latency: 1500 * time.Millisecond, Flags: resp.Flags}, nil
}

// summarizers returns a factory over the fixture's models.
func (f *fixture) summarizers() api.SummarizerFactory {
	return func(_ context.Context, req api.SummarizerRequest) (ticketsum.Summarizer, error) {
		m, err := f.models.Model(req.Model)
		if err != nil {
			return nil, err
		}
		return &modelSummarizer{model: m, principal: req.Principal, requestID: req.RequestID}, nil
	}
}

// MustServer returns an httptest server over a Handler on the fixture;
// edit changes the Config before New.
func MustServer(tb testing.TB, f *fixture, edit func(*api.Config)) *httptest.Server {
	tb.Helper()
	cfg := api.Config{
		Access: f.svc, Models: f.models.Model, ModelNames: f.models.Names,
		Summarizers: f.summarizers(), DefaultModel: modelAllowed, Clock: fixedClock{testNow},
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := api.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// do sends a request with an optional API key in the Authorization header.
func do(tb testing.TB, method, url, key, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		tb.Errorf("%s differs from the golden file (run go test -update after checking):\n%s", name, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first line that differs.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + a + "\ngot:  " + b
		}
	}
	return ""
}
