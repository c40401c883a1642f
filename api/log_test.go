package api_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum/api"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsNeverHoldKeysOrText logs refusals with principal, code and
// request id, and never a key, a message text or ticket data.
func TestLogsNeverHoldKeysOrText(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	var logs syncBuffer
	srv := MustServer(t, f, func(c *api.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	chat := func(model string) string {
		return `{"model":"` + model + `","messages":[{"role":"user","content":"my card is 4111 1111 1111 1111"}]}`
	}
	do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["revoked"], chat(modelAllowed))
	do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["good"], chat(modelOther))
	do(t, "POST", srv.URL+"/v1/summaries?model="+modelOther, f.keys["good"], ticketJSON)
	do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["broke"], chat(modelAllowed))
	out := logs.String()
	for _, want := range []string{"code=unauthorized", "principal=team-a", "code=forbidden", "principal=team-broke", "code=quota_exceeded", "request_id=req-"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	secrets := []string{"4111", "Ada", "ada@example.com", "Where is my refund"}
	for _, k := range f.keys {
		secrets = append(secrets, k[13:]) // the secret part of every key
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("logs contain %q:\n%s", s, out)
		}
	}
}
