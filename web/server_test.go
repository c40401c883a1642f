package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

func TestStartStop(t *testing.T) {
	t.Parallel()
	s, logs := MustServer(t, newMemStore(), nil)
	if s.Addr() != "" {
		t.Errorf("Addr before Start = %q", s.Addr())
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Errorf("Stop before Start: %v", err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("second Start = %v, want conflict", err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz = %d %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Error("server still answers after Stop")
	}
	if !strings.Contains(logs.String(), "web server listening") || !strings.Contains(logs.String(), "path=/healthz") {
		t.Errorf("logs lack the listen and request lines:\n%s", logs)
	}
}

func TestStartBusyAddress(t *testing.T) {
	t.Parallel()
	a, _ := MustServer(t, newMemStore(), nil)
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer a.Stop(context.Background())
	b, _ := MustServer(t, newMemStore(), func(c *web.Config) { c.Addr = a.Addr() })
	if err := b.Start(t.Context()); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("Start on a busy address = %v, want unavailable", err)
	}
}

func TestRunShutsDownOnCancel(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var addr string
	for addr == "" {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		addr = s.Addr()
		time.Sleep(time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	t.Parallel()
	boom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom secret") })
	s, logs := MustServer(t, newMemStore(), func(c *web.Config) { c.Mount = map[string]http.Handler{"/api/boom": boom} })
	rec := get(t, s.Handler(), "/api/boom")
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("panic answered %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom secret") {
		t.Errorf("panic not logged:\n%s", logs)
	}
}
