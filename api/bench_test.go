package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
)

// BenchmarkChatCompletion is one authenticated chat completion through the
// handler: key lookup, access check, budget reserved and settled from the
// process's lease on SQLite, and a model that answers at once. It measures
// the API's own overhead.
func BenchmarkChatCompletion(b *testing.B) {
	f := MustFixture(b)
	// A budget the loop cannot spend: at $0.01 a call the fixture's $10
	// ran out within a second once a request took well under a millisecond.
	if err := f.svc.UpdatePrincipal(context.Background(), "admin", &access.Principal{Name: "team-a", Models: []string{"fake:allowed-*"}, MonthlyBudgetUSD: 1e9}); err != nil {
		b.Fatal(err)
	}
	h := mustHandler(b, f)
	body := `{"model":"` + modelAllowed + `","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello there"}],"max_tokens":64}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.keys["good"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkGovernanceJSON builds the governance data from a trail of 10,000
// events (verification cached, as between page loads).
func BenchmarkGovernanceJSON(b *testing.B) {
	a := newFakeAudit()
	for i := range 10000 {
		e := &audit.Event{Seq: int64(i + 10), Time: testNow.Add(-time.Duration(i) * time.Minute), Kind: audit.KindInvocation,
			Actor: fmt.Sprintf("team-%d", i%7), Target: modelAllowed, Outcome: "success"}
		if i%10 == 0 {
			e.Outcome, e.ErrorCode = "denied", "forbidden"
		}
		if i%100 == 0 {
			e.Kind, e.Action = audit.KindAdmin, "key.create"
		}
		a.events = append(a.events, e)
	}
	h := governanceHandlerB(b, a)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/governance", nil))
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkModels is one authenticated GET /v1/models: a key lookup and
// three authorisations, reads only.
func BenchmarkModels(b *testing.B) {
	f := MustFixture(b)
	h := mustHandler(b, f)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/v1/models", nil)
		req.Header.Set("Authorization", "Bearer "+f.keys["good"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
