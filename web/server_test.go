package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
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

// TestSlowClientsCut attacks the server the slowloris way, over TCP: one
// connection sends a request and then holds the kept-alive connection
// idle, another sends a POST's headers and trickles its body a byte at a
// time. With no read or idle timeout both held their connection (and its
// goroutine) for as long as the client liked, so a few thousand such
// clients exhausted the server's file descriptors; now the server closes
// both. (The 20 s read deadline only stops the test from hanging.)
func TestSlowClientsCut(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), func(c *web.Config) {
		c.ReadTimeout, c.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	})
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) }) // after the connections close

	idle := mustDial(t, s.Addr())
	fmt.Fprintf(idle, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := waitClosed(idle, br); err != nil {
		t.Errorf("kept-alive connection left idle: %v", err)
	}

	slow := mustDial(t, s.Addr())
	fmt.Fprintf(slow, "POST /api/tickets/T-1/retry HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n")
	go func() {
		for {
			if _, err := slow.Write([]byte("a")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	if err := waitClosed(slow, bufio.NewReader(slow)); err != nil {
		t.Errorf("connection trickling its body: %v", err)
	}
}

func mustDial(tb testing.TB, addr string) net.Conn {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// waitClosed reads what the server still sends until it closes the
// connection; it returns an error when the connection is still open after
// 20 s.
func waitClosed(c net.Conn, br *bufio.Reader) error {
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.Copy(io.Discard, br)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("still open after 20s")
	}
	return nil
}
