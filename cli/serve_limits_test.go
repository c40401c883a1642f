package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// serveWithTeamKey runs the setup commands (approvals, the principal
// "team") through run, creates a key of team and starts serve on a free
// loopback port; it returns serve's address, the key, serve's exit code to
// come and its stderr.
func serveWithTeamKey(t *testing.T, run func(stdout, stderr io.Writer, args ...string) int, setup ...[]string) (addr, key string, done <-chan int, serveErr *syncBuffer) {
	t.Helper()
	for _, args := range setup {
		var errb syncBuffer
		if code := run(io.Discard, &errb, args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	var keyOut, errb syncBuffer
	if code := run(&keyOut, &errb, "keys", "create", "--principal", "team", "--json"); code != exitOK {
		t.Fatalf("keys create: exit %d: %s", code, errb.String())
	}
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(keyOut.String()), &k); err != nil {
		t.Fatal(err)
	}
	serveErr = &syncBuffer{}
	exit := make(chan int, 1)
	go func() { exit <- run(io.Discard, serveErr, "serve", "--addr", "127.0.0.1:0") }()
	return waitFor(t, serveErr, regexp.MustCompile(`serving on (http://\S+)`), exit), k.Key, exit, serveErr
}

// TestServePerKeyCapFromConfig: server.max_concurrent_per_key reaches the
// served API. With a cap of 1 and one chat request held by a slow
// upstream, the key's second request is refused with a 429 that names the
// setting to raise; once the first answer is back, the key is served again.
func TestServePerKeyCapFromConfig(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}, 4), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		entered <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1764000000,"model":"slow","choices":[{"index":0,"message":{"role":"assistant","content":"Done."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`)
	}))
	defer upstream.Close()
	defer close(release)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	body := "data_dir: " + dir + "\nopenai:\n  base_url: " + upstream.URL + "/v1\n  api_key_env: SLOW_KEY\n" +
		"server:\n  max_concurrent_per_key: 1\n  load_sample: false\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLOW_KEY": "upstream-secret"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runEnv := func(stdout, stderr io.Writer, args ...string) int {
		return Main(ctx, append(args, "--config", cfg), strings.NewReader(""), stdout, stderr, func(k string) string { return env[k] })
	}
	addr, key, done, serveErr := serveWithTeamKey(t, runEnv,
		[]string{"models", "approve", "openai:slow"},
		[]string{"principals", "put", "team", "--models", "openai:*", "--budget", "100"})
	chat := func() (int, string) {
		return postWithKey(t, addr+"/v1/chat/completions", key,
			`{"model":"openai:slow","max_tokens":16,"messages":[{"role":"user","content":"Is my export fixed?"}]}`)
	}
	first := make(chan int, 1)
	go func() { status, _ := chat(); first <- status }()
	<-entered // the first request is in flight, held by the upstream
	status, b := chat()
	if status != http.StatusTooManyRequests || !strings.Contains(b, "1 requests in flight") ||
		!strings.Contains(b, "server.max_concurrent_per_key") {
		t.Errorf("second request in flight: %d %s; want 429 naming the cap of 1 and server.max_concurrent_per_key", status, b)
	}
	release <- struct{}{}
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first request: %d", code)
	}
	go func() { <-entered; release <- struct{}{} }()
	if status, b := chat(); status != http.StatusOK {
		t.Errorf("after the first answer: %d %s, want 200", status, b)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve exit %d: %s", code, serveErr.String())
	}
}

// TestServeTicketLimitFromConfig: max_ticket_bytes, which import and
// summarize honour, also bounds a ticket sent to POST /v1/summaries (it
// used to be a fixed 1 MiB there, with no setting to raise it): a 1.5 MiB
// ticket is summarised under a 4 MiB limit, and one over a 2,000-byte limit
// is refused with a 400 that names the setting.
func TestServeTicketLimitFromConfig(t *testing.T) {
	t.Parallel()
	big := `{"id":"T-big","subject":"Export fails","messages":[{"role":"customer","body":"My export fails with a permissions error. ` +
		strings.Repeat("The export of the monthly report stops at the permissions step again. ", 23000) +
		`"},{"role":"agent","body":"I fixed your role; the export works now."}]}`
	if len(big) < 1<<20+1<<19 {
		t.Fatalf("the big ticket is only %d bytes", len(big))
	}
	for _, tc := range []struct {
		limit, ticket string
		status        int
		want          string
	}{
		{"4194304", big, http.StatusOK, `"summary"`},
		{"2000", big, http.StatusBadRequest, "max_ticket_bytes"},
	} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "ticketsum.yaml")
		if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\nmax_ticket_bytes: "+tc.limit+"\nserver:\n  load_sample: false\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		run := func(stdout, stderr io.Writer, args ...string) int {
			return Main(ctx, append(args, "--config", cfg), strings.NewReader(""), stdout, stderr, func(string) string { return "" })
		}
		addr, key, done, serveErr := serveWithTeamKey(t, run,
			[]string{"models", "approve", "builtin"},
			[]string{"principals", "put", "team", "--models", "*", "--budget", "100"})
		status, b := postWithKey(t, addr+"/v1/summaries", key, tc.ticket)
		if status != tc.status || !strings.Contains(b, tc.want) {
			t.Errorf("max_ticket_bytes %s, a %d-byte ticket: %d %.300s; want %d with %s", tc.limit, len(tc.ticket), status, b, tc.status, tc.want)
		}
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exit %d: %s", code, serveErr.String())
		}
	}
}

// TestServeChatLimitFromConfig: server.max_chat_body_bytes (or
// TICKETSUM_MAX_CHAT_BODY_BYTES) bounds the body of POST
// /v1/chat/completions, which was a fixed 1 MiB with no setting: a 1.2 MiB
// request (two long turns) reaches the model under a 4 MiB limit, and one over a 2,000-byte
// limit set by the variable is refused with a 400 that names both.
func TestServeChatLimitFromConfig(t *testing.T) {
	t.Parallel()
	upstream := doneUpstream(t, nil)
	// Two long turns, each under the default 1 MiB.
	content := strings.Repeat("The export of the monthly report stops at the permissions step again. ", 9000)
	body := `{"model":"openai:m","max_tokens":16,"messages":[{"role":"user","content":"` + content +
		`"},{"role":"assistant","content":"Which step?"},{"role":"user","content":"` + content + `"}]}`
	if len(body) < 1<<20+1<<17 {
		t.Fatalf("the big request is only %d bytes", len(body))
	}
	for _, tc := range []struct {
		env    map[string]string
		status int
		want   []string
	}{
		{map[string]string{"M_KEY": "k"}, http.StatusOK, []string{`"Done."`}},
		{map[string]string{"M_KEY": "k", "TICKETSUM_MAX_CHAT_BODY_BYTES": "2000"}, http.StatusBadRequest,
			[]string{"above the limit of 2000 bytes", "server.max_chat_body_bytes", "TICKETSUM_MAX_CHAT_BODY_BYTES"}},
	} {
		cfg := bigChatConfig(t, upstream.URL)
		ctx, cancel := context.WithCancel(context.Background())
		run := func(stdout, stderr io.Writer, args ...string) int {
			return Main(ctx, append(args, "--config", cfg), strings.NewReader(""), stdout, stderr, func(k string) string { return tc.env[k] })
		}
		addr, key, done, serveErr := serveWithTeamKey(t, run,
			[]string{"models", "approve", "openai:m"},
			[]string{"principals", "put", "team", "--models", "openai:*", "--budget", "100"})
		status, b := postWithKey(t, addr+"/v1/chat/completions", key, body)
		for _, want := range tc.want {
			if status != tc.status || !strings.Contains(b, want) {
				t.Errorf("env %v, a %d-byte request: %d %.300s; want %d with %s", tc.env, len(body), status, b, tc.status, want)
			}
		}
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exit %d: %s", code, serveErr.String())
		}
	}
}

// postWithKey POSTs body as JSON to url with the API key and returns the
// answer's status and body.
func postWithKey(t *testing.T, url, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// TestServeChatMessageOverGuardDefault: the guard checks a message as long
// as the larger of max_ticket_bytes and server.max_chat_body_bytes, instead
// of a fixed 1 MiB with no setting: one 1.2 MiB user message reaches the
// model under a 4 MiB server.max_chat_body_bytes (the old guard refused it
// with "guard: input text is N bytes, more than the 1048576 allowed").
func TestServeChatMessageOverGuardDefault(t *testing.T) {
	t.Parallel()
	var got atomic.Int64
	upstream := doneUpstream(t, &got)
	content := strings.Repeat("The export of the monthly report stops at the permissions step again. ", 18000)
	if len(content) < 1<<20+1<<17 {
		t.Fatalf("the message is only %d bytes", len(content))
	}
	body := `{"model":"openai:m","max_tokens":16,"messages":[{"role":"user","content":"` + content + `"}]}`
	addr, key, stop := serveOpenAIChat(t, bigChatConfig(t, upstream.URL))
	defer stop()
	status, b := postWithKey(t, addr+"/v1/chat/completions", key, body)
	if status != http.StatusOK || !strings.Contains(b, `"Done."`) || got.Load() < int64(len(content)) {
		t.Errorf("a %d-byte message under server.max_chat_body_bytes 4194304: %d %.300s (upstream got %d bytes); want 200 from the model", len(content), status, b, got.Load())
	}
}

// serveOpenAIChat runs serve on cfg (a bigChatConfig) with the key k in
// M_KEY, openai:m approved and a team principal allowed openai:*; it
// returns the address, the team's API key and stop, which ends serve and
// checks its exit.
func serveOpenAIChat(t *testing.T, cfg string) (addr, key string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run := func(stdout, stderr io.Writer, args ...string) int {
		return Main(ctx, append(args, "--config", cfg), strings.NewReader(""), stdout, stderr, func(k string) string {
			return map[string]string{"M_KEY": "k"}[k]
		})
	}
	addr, key, done, serveErr := serveWithTeamKey(t, run,
		[]string{"models", "approve", "openai:m"},
		[]string{"principals", "put", "team", "--models", "openai:*", "--budget", "100"})
	return addr, key, func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exit %d: %s", code, serveErr.String())
		}
	}
}

// doneUpstream is an OpenAI-compatible upstream answering every chat with
// "Done."; got, when not nil, holds the size of the last request's body.
func doneUpstream(t *testing.T, got *atomic.Int64) *httptest.Server {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if got != nil {
			got.Store(n)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1764000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Done."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`)
	}))
	t.Cleanup(upstream.Close)
	return upstream
}

// bigChatConfig writes a config in a fresh data dir whose openai: models
// are served by upstream with the key in M_KEY, and whose chat requests may
// be up to 4 MiB; it returns the config's path.
func bigChatConfig(t *testing.T, upstream string) string {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	conf := "data_dir: " + dir + "\nopenai:\n  base_url: " + upstream + "/v1\n  api_key_env: M_KEY\n" +
		"server:\n  max_chat_body_bytes: 4194304\n  load_sample: false\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startServe starts serve on the data directory dir (no sample tickets,
// any free port, environment from getenv; nil for none) and waits until it
// listens. stop ends it and fails the test unless it exits cleanly; done
// yields serve's exit code should it stop early.
func startServe(t *testing.T, dir string, getenv func(string) string) (addr string, done chan int, stderr *syncBuffer, stop func()) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr = new(syncBuffer)
	exited := make(chan int, 1)
	go func() {
		exited <- Main(ctx, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--no-sample"},
			strings.NewReader(""), io.Discard, stderr, getenv)
	}()
	addr = waitFor(t, stderr, regexp.MustCompile(`serving on (http://\S+)`), exited)
	return addr, exited, stderr, func() {
		t.Helper()
		cancel()
		if code := <-exited; code != exitOK {
			t.Fatalf("serve exit %d: %s", code, stderr.String())
		}
	}
}

// serveOneTicket imports goodTicket into a new data directory and starts
// serve on it, as startServe.
func serveOneTicket(t *testing.T, getenv func(string) string) (addr string, done chan int, stderr *syncBuffer, stop func()) {
	t.Helper()
	dir := t.TempDir()
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
	if r := run(t, context.Background(), "", "import", "--data-dir", dir, tickets); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	return startServe(t, dir, getenv)
}

// openAIConfig writes a config in a new data directory whose model is
// openai:m, served by the OpenAI-compatible upstream at url, approves
// openai:m and returns the config's path.
func openAIConfig(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	conf := "data_dir: " + dir + "\nmodel: openai:m\nopenai:\n  base_url: " + url + "/v1\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, context.Background(), "", "models", "approve", "openai:m", "--config", cfg); r.code != exitOK {
		t.Fatalf("approve: %+v", r)
	}
	return cfg
}
