package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/audit"
)

// eventLog is a recording fake EventRecorder.
type eventLog struct {
	mu     sync.Mutex
	events []*audit.Event
}

func (l *eventLog) Append(_ context.Context, e *audit.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	return nil
}

func (l *eventLog) stores() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		if e.Action == "ticket.store" {
			out = append(out, e.Actor+" "+e.Target+" "+e.Outcome)
		}
	}
	return out
}

// TestStoreScopesAndOwnership walks the store matrix in order: who may
// store or replace which ticket, and that every attempt is in the trail.
func TestStoreScopesAndOwnership(t *testing.T) {
	t.Parallel()
	store := newRecordingStore()
	store.tickets["T-IMPORTED"] = &ticketsum.Ticket{ID: "T-IMPORTED", Subject: "imported"}
	f := MustFixture(t)
	trail := &eventLog{}
	srv := MustServer(t, f, func(c *api.Config) {
		c.Summarizers = func(ctx context.Context, r api.SummarizerRequest) (ticketsum.Summarizer, error) {
			return &fakeSummarizer{req: r}, nil
		}
		c.Store, c.Trail = store, trail
	})
	ticket := func(id string) string { return strings.Replace(ticketJSON, `"T-100"`, `"`+id+`"`, 1) }
	steps := []struct {
		name, key, id string
		status        int
		want          string
	}{
		{"summarize-only key may not store", "good", "T-1", 403, "lacks the scope tickets:write"},
		{"writer stores a new ticket", "slow", "T-1", 200, ""},
		{"writer replaces its own ticket", "slow", "T-1", 200, ""},
		{"another principal may not replace it", "writer-a", "T-1", 403, "stored by principal team-slow (rule: ticket ownership)"},
		{"nobody replaces an imported ticket", "slow", "T-IMPORTED", 403, "stored by an import or the source sync"},
		{"admin replaces an imported ticket", "admin", "T-IMPORTED", 200, ""},
	}
	for _, s := range steps {
		resp := do(t, "POST", srv.URL+"/v1/summaries?store=true", f.keys[s.key], ticket(s.id))
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != s.status || !strings.Contains(string(body), s.want) {
			t.Errorf("%s: status %d %s, want %d containing %q", s.name, resp.StatusCode, body, s.status, s.want)
		}
	}
	if got := store.tickets["T-1"].Subject; got != "Refund" {
		t.Errorf("T-1 subject %q", got)
	}
	want := []string{"team-a T-1 denied", "team-slow T-1 success", "team-slow T-1 success", "team-a T-1 denied", "team-slow T-IMPORTED denied", "team-a T-IMPORTED success"}
	if got := trail.stores(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("trail has stores %v, want %v", got, want)
	}
	// read scope: the owner reads its ticket, others do not see it.
	for _, c := range []struct {
		key    string
		status int
	}{{"slow", 200}, {"good", 403}, {"admin", 200}} {
		resp := do(t, "GET", srv.URL+"/v1/tickets/T-1", f.keys[c.key], "")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status {
			t.Errorf("GET /v1/tickets/T-1 with %s: status %d %s, want %d", c.key, resp.StatusCode, body, c.status)
		}
	}
}

// TestSlowClientCut: a client with a valid key that sends its headers and
// then trickles its body is cut off after the body read timeout and its
// connection closed.
func TestSlowClientCut(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, func(c *api.Config) { c.BodyReadTimeout = 200 * time.Millisecond })
	for _, silent := range []bool{false, true} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", f.keys["good"])
		stop := make(chan struct{})
		if !silent {
			go func() { // one byte every 50 ms, forever
				for {
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
						if _, err := conn.Write([]byte(" ")); err != nil {
							return
						}
					}
				}
			}()
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for the test, far above the timeout
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("silent=%v: no answer: %v", silent, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "did not arrive in time") {
			t.Errorf("silent=%v: status %d %s, want 400 naming the timeout", silent, resp.StatusCode, body)
		}
		if !resp.Close {
			t.Errorf("silent=%v: connection kept open after a cut-off body", silent)
		}
		close(stop)
		conn.Close()
	}
}

// TestPerKeyConcurrency: with a cap of 2, a key's third request in flight
// is refused with 429 while another key still gets through.
func TestPerKeyConcurrency(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	srv := MustServer(t, f, func(c *api.Config) {
		c.MaxConcurrentPerKey = 2
		c.Summarizers = func(ctx context.Context, r api.SummarizerRequest) (ticketsum.Summarizer, error) {
			if r.Principal == "team-a" {
				entered <- struct{}{}
				<-release
			}
			return &fakeSummarizer{req: r}, nil
		}
	})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { do(t, "POST", srv.URL+"/v1/summaries", f.keys["good"], ticketJSON).Body.Close() })
	}
	<-entered
	<-entered
	resp := do(t, "POST", srv.URL+"/v1/summaries", f.keys["good"], ticketJSON)
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(body, &e)
	if resp.StatusCode != 429 || !strings.Contains(e.Error.Message, "2 requests in flight") ||
		!strings.Contains(e.Error.Message, "server.max_concurrent_per_key") {
		t.Errorf("third request: %d %s, want 429 naming the cap and the setting that raises it", resp.StatusCode, body)
	}
	if resp := do(t, "POST", srv.URL+"/v1/summaries", f.keys["slow"], ticketJSON); resp.StatusCode == 429 {
		t.Errorf("another key was refused too")
	}
	close(release)
	wg.Wait()
}

// wrappedWriter hides the server's ResponseWriter behind Unwrap, as the web
// server's middleware does.
type wrappedWriter struct{ http.ResponseWriter }

func (w wrappedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestSlowClientCutBehindWrapper: the body read timeout reaches the
// connection through a middleware's wrapped ResponseWriter too.
func TestSlowClientCutBehindWrapper(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	h, err := api.New(api.Config{Access: f.svc, Models: f.models.Model, ModelNames: f.models.Names,
		Clock: fixedClock{testNow}, BodyReadTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(wrappedWriter{w}, r)
	}))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", f.keys["good"])
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound for the test, far above the timeout
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "did not arrive in time") {
		t.Errorf("status %d %s, want 400 naming the timeout", resp.StatusCode, body)
	}
}
