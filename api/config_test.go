package api_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
)

// TestConfigRejected rejects bad configs with EINVALID naming the field.
func TestConfigRejected(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	sum := func(context.Context, api.SummarizerRequest) (ticketsum.Summarizer, error) { return nil, nil }
	tests := []struct {
		name string
		cfg  api.Config
		msg  string
	}{
		{"no access", api.Config{}, "Config.Access is required"},
		{"summaries without model", api.Config{Access: f.svc, Summarizers: sum}, "Config.DefaultModel"},
		{"budgets without audit", api.Config{Access: f.svc, Budgets: f.svc}, "both Config.Budgets and Config.Audit"},
		{"negative body", api.Config{Access: f.svc, MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"negative tokens", api.Config{Access: f.svc, MaxOutputTokens: -1}, "MaxOutputTokens"},
		{"negative retry", api.Config{Access: f.svc, ThrottleRetryAfter: -time.Second}, "ThrottleRetryAfter"},
		{"too many days", api.Config{Access: f.svc, Days: 400}, "Config.Days"},
		{"negative admin", api.Config{Access: f.svc, AdminActions: -1}, "AdminActions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := api.New(tt.cfg)
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want EINVALID about %s", err, tt.msg)
			}
		})
	}
}

// TestRoutesFollowConfig serves only the routes whose dependencies are set.
func TestRoutesFollowConfig(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	h, err := api.New(api.Config{Access: f.svc, Models: f.models.Model})
	if err != nil {
		t.Fatal(err)
	}
	routes := h.Routes()
	if len(routes) != 1 || routes["POST /v1/chat/completions"] == nil {
		t.Errorf("routes %v, want only chat completions", routes)
	}
	if _, ok := h.Nav(); ok {
		t.Error("governance link without a governance page")
	}
}

// TestRateLimitRetryAfter derives Retry-After from the principal's
// requests-per-minute limit.
func TestRateLimitRetryAfter(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	body := `{"model":"` + modelAllowed + `","messages":[{"role":"user","content":"hi"}]}`
	var last int
	for range 3 { // a limit of 2 per minute allows a burst of 1
		resp := do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["slow"], body)
		last = resp.StatusCode
		if last != 429 {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		var e errorBody
		json.Unmarshal(b, &e)
		if e.Error.Code != "throttled" || *e.Error.Type != "rate_limit_error" || !strings.Contains(e.Error.Message, "limit of 2 requests per minute") {
			t.Errorf("error %s", b)
		}
		if got := resp.Header.Get("Retry-After"); got != "30" {
			t.Errorf("Retry-After %q, want 30 (one request of 2 per minute)", got)
		}
		return
	}
	t.Fatalf("never throttled; last status %d", last)
}
