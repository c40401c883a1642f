package api_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/web"
)

// TestMountedOnWebServer mounts every route on the web server, as cmd/
// does: no pattern conflicts, and the routes answer through its
// middleware.
func TestMountedOnWebServer(t *testing.T) {
	t.Parallel()
	trail := MustTrail(t)
	f := MustFixtureWith(t, trail, nil)
	h, err := api.New(api.Config{Access: f.svc, Models: f.models.Model, ModelNames: f.models.Names,
		Summarizers: f.summarizers(), DefaultModel: modelAllowed, Budgets: f.svc, Audit: trail, Clock: fixedClock{testNow}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Routes()) != 7 { // 3 governed, 3 governance, GET /v1/usage
		t.Errorf("%d routes, want 7", len(h.Routes()))
	}
	nav, ok := h.Nav()
	if !ok {
		t.Fatal("no governance link")
	}
	ws, err := web.New(web.Config{Store: newRecordingStore(), Mount: h.Routes(), Nav: []web.Link{nav}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ws.Handler())
	defer srv.Close()
	tests := []struct {
		method, path, key string
		status            int
		contains          string
	}{
		{"GET", "/governance", "", 200, "Spend per principal against budget"},
		{"GET", "/governance/style.css", "", 200, ".gov-stats"},
		{"GET", "/api/governance", "", 200, `"period":"2026-11"`},
		{"GET", "/v1/models", f.keys["good"], 200, modelAllowed},
		{"GET", "/v1/models", "", 401, "no API key"},
		{"POST", "/v1/chat/completions", f.keys["good"], 400, "messages is required"},
		{"POST", "/v1/summaries", f.keys["good"], 400, "input is empty"},
		{"GET", "/", "", 200, `href="/governance"`},
	}
	for _, tt := range tests {
		body := ""
		if tt.method == "POST" && tt.path == "/v1/chat/completions" {
			body = `{"model":"m"}`
		}
		resp := do(t, tt.method, srv.URL+tt.path, tt.key, body)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.contains) {
			t.Errorf("%s %s: %d, want %d containing %q: %.300s", tt.method, tt.path, resp.StatusCode, tt.status, tt.contains, b)
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: served without the web server's security headers", tt.method, tt.path)
		}
	}
}
