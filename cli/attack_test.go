package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// TestServeModelNameEscapes attacks an operator's terminal through the
// API: a key holder asks /v1/chat/completions and /v1/summaries for a
// model whose name is an escape sequence (clear the screen, retitle the
// window). The refused call's model was recorded in the audit trail as
// sent, and `ticketsum usage --by model` printed it raw to whoever ran
// it. Now the request is refused as bad input, naming the rule, and
// nothing reaches the trail.
func TestServeModelNameEscapes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := run(t, context.Background(), "", "principals", "put", "team-a", "--models", "*", "--budget", "5", "--data-dir", dir); r.code != exitOK {
		t.Fatalf("principals put: %+v", r)
	}
	r := run(t, context.Background(), "", "keys", "create", "--principal", "team-a", "--json", "--data-dir", dir)
	var k struct{ Key string }
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &k) != nil || k.Key == "" {
		t.Fatalf("keys create: %+v", r)
	}
	addr, _, _, stop := startServe(t, dir, nil)
	for _, c := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"x\u001b[2J\u001b]0;pwned\u0007","messages":[{"role":"user","content":"hi"}]}`},
		{"/v1/summaries?model=x%1B%5B2J%1B%5D0%3Bpwned%07", strings.ReplaceAll(goodTicket, "\n", "")},
	} {
		req, _ := http.NewRequest("POST", addr+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+k.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "rule: printable model names") {
			t.Errorf("POST %s with an escape sequence as model: %d %s; want 400 naming the rule", c.path, resp.StatusCode, b)
		}
	}
	stop()
	r = run(t, context.Background(), "", "usage", "--by", "model", "--data-dir", dir)
	if r.code != exitOK || strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("usage --by model printed a caller's escape sequence to the terminal: exit %d, %q", r.code, r.stdout)
	}
}

// TestSummaryInvisibleCharactersHidePII plays a ticket whose text talked
// the model into repeating the customer's name and e-mail address with
// zero-width characters and soft hyphens inside them: a screen shows
// "Ana Lima (ana.lima@example.com)", but the output guard's detectors saw
// other words and let the summary through with both. The invisible
// characters are now removed from the answer before the guard checks it.
func TestSummaryInvisibleCharactersHidePII(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer A\u200bna L\u200dima (ana\u00ad.lima@exa\u200cmple.com, +44\u2060 20 7946\ufeff 0958) could not log in. " +
				"The agent reset the password and sent a reset link.\nSTATUS: resolved"
		},
	})
	setAWSEnv(t, srv)
	cfg := tempConfig(t)
	const model = "bedrock:amazon.nova-lite-v1:0"
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	r := run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "--json", "--model", model)
	var got summaryJSON
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &got) != nil {
		t.Fatalf("summarize: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	shown := strings.Map(func(r rune) rune { // what a reader sees
		if strings.ContainsRune("\u200b\u200c\u200d\u00ad\u2060\ufeff", r) {
			return -1
		}
		return r
	}, got.Summary)
	for _, pii := range []string{"Ana", "Lima", "ana.lima", "example.com", "7946"} {
		if strings.Contains(shown, pii) {
			t.Errorf("the summary shows %q: %q", pii, shown)
		}
	}
}

// TestServeReviewEditRefusesPII attacks the review queue as a reviewer
// would who pastes the customer's contact details into an edited
// summary (or text with escape sequences): the edit was saved as the
// reviewed summary, beside the approved ones. Now it is refused, naming
// what was found and the rule, and the item stays pending.
func TestServeReviewEditRefusesPII(t *testing.T) {
	t.Parallel()
	addr, _, stderr, stop := serveOneTicket(t, func(k string) string {
		if k == "TICKETSUM_REVIEW_SHARE" {
			return "1"
		}
		return ""
	})
	var queue struct {
		Items []struct {
			SummaryID int64 `json:"summary_id"`
		}
	}
	for i := 0; len(queue.Items) == 0; i++ {
		if i > 600 {
			t.Fatalf("the summary never reached the review queue: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		resp, err := http.Get(addr + "/review/api/queue")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&queue)
		resp.Body.Close()
	}
	id := strconv.FormatInt(queue.Items[0].SummaryID, 10)
	for _, c := range []struct{ text, want string }{
		{"Ana Lima could not log in; call her on +44 20 7946 0958 or write to ana.lima@example.com. Resolved.", "rule: no personal data in summaries"},
		{"The customer could not log in.\u001b]0;pwned\u0007 The agent reset the password. Resolved.", "rule: summaries are plain text"},
	} {
		body, _ := json.Marshal(map[string]string{"state": "edited", "reviewer": "rev", "edited_text": c.text})
		resp, err := http.Post(addr+"/review/api/queue/"+id, "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), c.want) || strings.Contains(string(b), "7946") {
			t.Errorf("edit %q: %d %s; want 400 naming %q", c.text, resp.StatusCode, b, c.want)
		}
	}
	resp, err := http.Get(addr + "/review/api/queue/" + id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "ana.lima") || !strings.Contains(string(b), `"state": "pending"`) {
		t.Errorf("after the refused edits the item is %s", b)
	}
	stop()
}

// TestAdminTextEscapes: an operator's note or model name holding an
// escape sequence was stored with the approval and printed raw by
// `models approved` to every operator after, or echoed raw in the
// refusal; both are now refused as bad input (exit 2), shown escaped.
func TestAdminTextEscapes(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	for _, args := range [][]string{
		{"models", "approve", "builtin", "--note", "ok\x1b]0;pwned\x07", "--config", cfg},
		{"models", "approve", "bedrock:\x1b[2Jx", "--config", cfg},
	} {
		r := run(t, context.Background(), "", args...)
		if r.code != exitUsage || strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 with the escape shown escaped", args, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, context.Background(), "", "models", "approved", "--config", cfg)
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("models approved prints an escape sequence: %q", r.stdout)
	}
}
