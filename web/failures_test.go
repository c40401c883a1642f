package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/web"
)

// MustSQLite opens a SQLite store in a temporary directory: the real store,
// for the features a fake would have to reimplement (states, full text).
func MustSQLite(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "web.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// fakeJobs records the work the UI asks for.
type fakeJobs struct {
	mu          sync.Mutex
	retried     []string
	regenerated []string
	next        int
}

func (f *fakeJobs) retry(_ context.Context, id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried = append(f.retried, id)
	return true, nil
}

func (f *fakeJobs) regenerate(_ context.Context, id string) (int, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.regenerated = append(f.regenerated, id)
	f.next++
	return f.next, true, nil
}

func (f *fakeJobs) calls() (retried, regenerated []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.retried...), append([]string(nil), f.regenerated...)
}

// post sends a POST as a browser on the same site would (or another site,
// with crossSite).
func post(tb testing.TB, h http.Handler, path string, crossSite bool) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if crossSite {
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// seedFailed stores T-1 failed (config) without a summary, T-2 summarised
// and T-3 summarised with a failed regeneration.
func seedFailed(tb testing.TB) *sqlite.Store {
	store := MustSQLite(tb)
	t1 := newTicket("T-1", "Export fails", "billing", time.Hour)
	t2 := newTicket("T-2", "Card reader", "hardware", 2*time.Hour)
	t3 := newTicket("T-3", "Router firmware", "hardware", 3*time.Hour)
	MustPut(tb, store, t1)
	MustPut(tb, store, t2, newSummary(t2, "The agent reset the card reader.", ticketsum.StatusResolved, time.Minute))
	MustPut(tb, store, t3, newSummary(t3, "The agent updated the router firmware.", ticketsum.StatusResolved, time.Minute))
	for _, f := range []*ticketsum.Failure{
		{TicketID: "T-1", ContentHash: t1.ContentHash(), Code: ticketsum.EFORBIDDEN, Class: ticketsum.ClassConfig,
			Reason: "model bedrock:x is not approved; run: ticketsum models approve bedrock:x", Attempts: 2, LastAttemptAt: testNow.Add(-5 * time.Minute)},
		{TicketID: "T-3", ContentHash: t3.ContentHash(), Code: ticketsum.EBLOCKED, Class: ticketsum.ClassPolicy,
			Reason: "blocked by guardrail: denied topic", Attempts: 1, LastAttemptAt: testNow.Add(-time.Minute), Regeneration: 2},
	} {
		if err := store.RecordFailure(context.Background(), f); err != nil {
			tb.Fatal(err)
		}
	}
	return store
}

func TestTicketPageFailureAndRetry(t *testing.T) {
	t.Parallel()
	jobs := &fakeJobs{}
	s, _ := MustServer(t, seedFailed(t), func(c *web.Config) { c.Retry, c.Regenerate = jobs.retry, jobs.regenerate })
	h := s.Handler()
	body := get(t, h, "/tickets/T-1").Body.String()
	for _, want := range []string{`id="failure"`, "Summary failed", "model bedrock:x is not approved; run: ticketsum models approve bedrock:x",
		"Configuration", "<code>forbidden</code>", "<dd>2</dd>", "5 minutes ago", `action="/tickets/T-1/retry"`, ">Retry</button>",
		"No summary: the last attempt failed", "Summarise now"} {
		if !strings.Contains(body, want) {
			t.Errorf("failed ticket page lacks %q", want)
		}
	}
	if strings.Index(body, `id="failure"`) > strings.Index(body, `id="summary"`) {
		t.Error("the failure is not shown above the summary")
	}
	if body := get(t, h, "/tickets/T-3").Body.String(); !strings.Contains(body, "Regeneration failed") || !strings.Contains(body, "Regenerate summary") ||
		!strings.Contains(body, "The agent updated the router firmware.") {
		t.Errorf("failed regeneration page lacks its title, the kept summary or the button")
	}
	if body := get(t, h, "/tickets/T-2").Body.String(); strings.Contains(body, `id="failure"`) || strings.Contains(body, "/retry") {
		t.Error("a ticket that is not failed shows a failure or a Retry button")
	}

	if rec := post(t, h, "/tickets/T-1/retry", true); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site retry: status %d, want 403", rec.Code)
	}
	rec := post(t, h, "/tickets/T-1/retry", false)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tickets/T-1?done=retry" {
		t.Fatalf("retry: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if body := get(t, h, "/tickets/T-1?done=retry").Body.String(); !strings.Contains(body, `role="status">Another attempt was queued.`) {
		t.Error("page after retry does not say what happened")
	}
	if rec := post(t, h, "/tickets/T-2/retry", false); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "is not failed") {
		t.Errorf("retry of a ticket that is not failed: %d %s", rec.Code, rec.Body)
	}
	rec = post(t, h, "/tickets/T-2/regenerate", false)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/tickets/T-2?done=regenerate&n=1" {
		t.Fatalf("regenerate: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if body := get(t, h, "/tickets/T-2?done=regenerate&n=1").Body.String(); !strings.Contains(body, "A new summary was requested (regeneration 1).") {
		t.Error("page after regenerate does not say what happened")
	}
	retried, regenerated := jobs.calls()
	if fmt.Sprint(retried) != "[T-1]" || fmt.Sprint(regenerated) != "[T-2]" {
		t.Errorf("jobs asked: retry %v, regenerate %v; want [T-1], [T-2]", retried, regenerated)
	}
}

func TestAPIFailedStateRetryRegenerate(t *testing.T) {
	t.Parallel()
	jobs := &fakeJobs{}
	backlog := func(context.Context) (int, error) { return 49660, nil }
	s, _ := MustServer(t, seedFailed(t), func(c *web.Config) { c.Retry, c.Regenerate, c.Backlog = jobs.retry, jobs.regenerate, backlog })
	h := s.Handler()
	var list web.TicketListJSON
	if err := json.Unmarshal(get(t, h, "/api/tickets?state=failed").Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 2 || list.Tickets[0].ID != "T-1" || list.Tickets[0].State != ticketsum.StateFailed || list.Tickets[0].Failure == nil ||
		list.Tickets[0].Failure.Class != ticketsum.ClassConfig || list.Tickets[1].Failure.Regeneration != 2 || list.Backlog == nil || *list.Backlog != 49660 {
		t.Errorf("failed list = %+v", list)
	}
	var detail web.TicketDetailJSON
	if err := json.Unmarshal(get(t, h, "/api/tickets/T-1").Body.Bytes(), &detail); err != nil || detail.State != ticketsum.StateFailed ||
		detail.Failure == nil || detail.Failure.Attempts != 2 {
		t.Errorf("detail = %+v (%v)", detail, err)
	}
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/api/tickets/T-1/retry", http.StatusAccepted, `{"ticket_id":"T-1","queued":true}`},
		{"/api/tickets/T-2/retry", http.StatusConflict, "is not failed"},
		{"/api/tickets/nope/retry", http.StatusNotFound, "not_found"},
		{"/api/tickets/T-2/regenerate", http.StatusConflict, "pass force=true"},
		{"/api/tickets/T-2/regenerate?force=true", http.StatusAccepted, `{"ticket_id":"T-2","regeneration":1,"queued":true}`},
		{"/api/tickets/T-1/regenerate", http.StatusAccepted, `"regeneration":2`}, // failed, no summary: no force needed
		{"/api/tickets/T-2/regenerate?force=maybe", http.StatusBadRequest, "force must be true or false"},
	}
	for _, tt := range tests {
		rec := post(t, h, tt.path, false)
		var compact bytes.Buffer
		if err := json.Compact(&compact, rec.Body.Bytes()); err != nil {
			t.Fatalf("POST %s: body is not JSON: %s", tt.path, rec.Body)
		}
		if rec.Code != tt.status || !strings.Contains(compact.String(), tt.want) {
			t.Errorf("POST %s: %d %s, want %d with %s", tt.path, rec.Code, compact.String(), tt.status, tt.want)
		}
	}
	// Without a queue the actions are refused and the buttons hidden.
	plain, _ := MustServer(t, seedFailed(t), nil)
	if rec := post(t, plain.Handler(), "/api/tickets/T-1/retry", false); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("retry without a queue: %d, want 503", rec.Code)
	}
	if body := get(t, plain.Handler(), "/tickets/T-1").Body.String(); strings.Contains(body, "<form method=\"post\"") || !strings.Contains(body, "Summary failed") {
		t.Error("a server without a queue shows action buttons, or hides the failure")
	}
}
