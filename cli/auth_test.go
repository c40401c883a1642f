package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeRefusesOpenNetworkAddress checks that serve will not expose
// tickets without sign-in: loopback mode on 0.0.0.0 is refused before the
// store is opened, naming the setting that fixes it.
func TestServeRefusesOpenNetworkAddress(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	r := run(t, context.Background(), "", "serve", "--data-dir", dir, "--addr", "0.0.0.0:0")
	if r.code != exitUsage || !strings.Contains(r.stderr, "set auth.mode to oidc or proxy") {
		t.Fatalf("serve on 0.0.0.0 in loopback mode: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "ticketsum.db")); err == nil {
		t.Error("the refused serve created a store")
	}
}

// TestServeProxyAuth runs serve behind a (simulated) trusted proxy and
// walks the access matrix a team meets: anonymous readers refused,
// reviewers read, only a pm regenerates and only with their session's
// CSRF token, governance and metrics need admin, an admin API key reaches
// the UI's API, a summarize key does not but still calls /v1/.
func TestServeProxyAuth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	body := "data_dir: " + dir + `
auth:
  mode: proxy
  roles: {support: reviewer, leads: pm, ops: admin}
  proxy:
    trusted: [127.0.0.1]
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
	if r := run(t, context.Background(), "", "import", "--config", cfg, tickets); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	if r := run(t, context.Background(), "", "principals", "put", "team-a", "--models", "builtin", "--budget", "5", "--config", cfg); r.code != exitOK {
		t.Fatalf("principals put: %+v", r)
	}
	key := func(scope string) string {
		r := run(t, context.Background(), "", "keys", "create", "--principal", "team-a", "--scope", scope, "--json", "--config", cfg)
		var k struct{ Key string }
		if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &k) != nil || k.Key == "" {
			t.Fatalf("keys create --scope %s: %+v", scope, r)
		}
		return k.Key
	}
	adminKey, sumKey := key("admin"), key("summarize")

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--config", cfg, "--addr", "127.0.0.1:0", "--no-sample"},
			strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	}()
	addr := waitFor(t, &stderr, regexp.MustCompile(`serving on (http://\S+)`), done)
	if !strings.Contains(stderr.String(), "sign-in: proxy") {
		t.Errorf("serve does not say its sign-in mode: %s", stderr.String())
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	as := func(email, groups string) http.Header {
		return http.Header{"X-Forwarded-Email": {email}, "X-Forwarded-Groups": {groups}}
	}
	do := func(method, path string, h http.Header, form url.Values) (int, string) {
		t.Helper()
		var rd io.Reader
		if form != nil {
			rd = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, addr+path, rd)
		for k, v := range h {
			req.Header[k] = v
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	reviewer, pm := as("rev@example.com", "support"), as("pm@example.com", "leads")
	bearer := func(k string) http.Header { return http.Header{"Authorization": {"Bearer " + k}} }

	// Wait until the worker has summarised the ticket, as a reviewer.
	for i := 0; ; i++ {
		code, page := do("GET", "/api/tickets/T-1", reviewer, nil)
		if code == http.StatusOK && strings.Contains(page, `"state": "summarized"`) {
			break
		}
		if i > 600 {
			t.Fatalf("ticket never summarised: %d %s", code, page)
		}
		select {
		case c := <-done:
			t.Fatalf("serve exited %d: %s", c, stderr.String())
		default:
		}
		do("GET", "/healthz", nil, nil) // a short pause that also proves /healthz is open
	}

	for _, c := range []struct {
		name, method, path string
		h                  http.Header
		code               int
		want               string
	}{
		{"anonymous list", "GET", "/api/tickets", nil, 401, "sign in through the proxy"},
		{"reviewer list", "GET", "/api/tickets", reviewer, 200, "T-1"},
		{"reviewer may not regenerate", "POST", "/api/tickets/T-1/regenerate?force=true", reviewer, 403, `needs \"pm\"`},
		{"pm without CSRF token", "POST", "/api/tickets/T-1/regenerate?force=true", pm, 403, "security token"},
		{"governance needs admin", "GET", "/api/governance", pm, 403, "auth.roles"},
		{"metrics need admin", "GET", "/metrics", reviewer, 403, `needs \"admin\"`},
		{"admin key reads governance", "GET", "/api/governance", bearer(adminKey), 200, "{"},
		{"admin key reads metrics", "GET", "/metrics", bearer(adminKey), 200, "ticketsum_"},
		{"summarize key refused on the UI API", "GET", "/api/tickets", bearer(sumKey), 403, "--scope admin"},
		{"summarize key calls /v1/", "GET", "/v1/models", bearer(sumKey), 200, `"object":"list"`},
		{"no key on /v1/", "GET", "/v1/models", nil, 401, ""},
		{"reviewer reads eval runs", "GET", "/evals", reviewer, 200, "Evaluations"},
		{"rating pages need pm", "GET", "/review/tasks", reviewer, 403, `needs \"pm\"`},
		{"pm sees rating pages", "GET", "/review/tasks", pm, 200, "Blind rating"},
	} {
		code, page := do(c.method, c.path, c.h, nil)
		if code != c.code || !strings.Contains(page, c.want) {
			t.Errorf("%s: %d, want %d containing %q; body: %.300s", c.name, code, c.code, c.want, page)
		}
	}

	// The pm's form carries a token bound to their session: it works for
	// them and not for another signed-in person.
	_, page := do("GET", "/tickets/T-1", pm, nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the ticket page has no CSRF token for the pm:\n%.2000s", page)
	}
	if code, page := do("POST", "/tickets/T-1/regenerate", pm, url.Values{"csrf": {m[1]}}); code != http.StatusSeeOther {
		t.Errorf("pm regenerates with the page's token: %d %.300s", code, page)
	}
	other := as("pm2@example.com", "leads")
	if code, _ := do("POST", "/tickets/T-1/regenerate", other, url.Values{"csrf": {m[1]}}); code != http.StatusForbidden {
		t.Errorf("another person replayed the pm's token: %d, want 403", code)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exit %d: %s", code, stderr.String())
	}
}

// TestServeLoopbackRefusesRebinding attacks a default `serve` the way a
// web page does after pointing its own name at 127.0.0.1 (DNS
// rebinding): the browser on this machine sends the page's name as Host
// and its origin, so the request is local and same-origin. It must
// neither read tickets nor regenerate one; the machine's own names still
// work.
func TestServeLoopbackRefusesRebinding(t *testing.T) {
	t.Parallel()
	addr, _, _, stop := serveOneTicket(t, nil)
	port := addr[strings.LastIndex(addr, ":")+1:]
	do := func(method, path, host string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, addr+path, nil)
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	evil := "rebind.attacker.example:" + port
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/tickets"}, {"GET", "/tickets/T-1"}, {"POST", "/api/tickets/T-1/regenerate?force=true"}, {"GET", "/api/governance"},
	} {
		code, body := do(c.method, c.path, evil)
		if code != http.StatusForbidden || !strings.Contains(body, "rule: loopback host") || !strings.Contains(body, "http://127.0.0.1:"+port+"/") {
			t.Errorf("%s %s for host %s: %d %.300s; want 403 naming the rule and the address to open", c.method, c.path, evil, code, body)
		}
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		if code, body := do("GET", "/api/tickets", host); code != http.StatusOK || !strings.Contains(body, "T-1") {
			t.Errorf("GET /api/tickets for host %s: %d %.300s", host, code, body)
		}
	}
	stop()
}
