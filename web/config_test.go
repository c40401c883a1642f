package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	store := newMemStore()
	tests := []struct {
		name string
		cfg  web.Config
		want string
	}{
		{"no store", web.Config{}, "Store is required"},
		{"bad addr", web.Config{Store: store, Addr: "localhost"}, "Addr"},
		{"negative page size", web.Config{Store: store, PageSize: -1}, "PageSize"},
		{"page above max", web.Config{Store: store, PageSize: 50, MaxPageSize: 10}, "above MaxPageSize"},
		{"negative timeout", web.Config{Store: store, ShutdownTimeout: -1}, "ShutdownTimeout"},
		{"nil mount", web.Config{Store: store, Mount: map[string]http.Handler{"/metrics": nil}}, "is nil"},
		{"mount without path", web.Config{Store: store, Mount: map[string]http.Handler{"metrics": ok}}, "has no path"},
		{"mount conflict", web.Config{Store: store, Mount: map[string]http.Handler{"GET /api/tickets": ok}}, "Mount pattern"},
		{"bad nav", web.Config{Store: store, Nav: []web.Link{{Label: "x", Path: "http://evil"}}}, "Nav[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := web.New(tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded, want error containing %q", tt.want)
			}
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("code %s, want invalid", ticketsum.ErrorCodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestMountAndNav(t *testing.T) {
	t.Parallel()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("metrics here")) })
	gov := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("governance " + r.URL.Path)) })
	s, _ := MustServer(t, newMemStore(), func(c *web.Config) {
		c.Mount = map[string]http.Handler{"GET /metrics": metrics, "/governance/": gov}
		c.Nav = []web.Link{{Label: "Governance", Path: "/governance/"}}
	})
	if rec := get(t, s.Handler(), "/metrics"); rec.Body.String() != "metrics here" {
		t.Errorf("/metrics = %q", rec.Body)
	}
	if rec := get(t, s.Handler(), "/governance/budgets"); rec.Body.String() != "governance /governance/budgets" {
		t.Errorf("/governance/budgets = %q", rec.Body)
	}
	if rec := get(t, s.Handler(), "/"); !strings.Contains(rec.Body.String(), `<a href="/governance/">Governance</a>`) {
		t.Errorf("list page lacks the nav link:\n%s", rec.Body)
	}
}
