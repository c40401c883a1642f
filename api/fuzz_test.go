package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzChatBody sends arbitrary bodies to the chat route: the answer is a
// success or a coded refusal, never a panic or an internal error.
func FuzzChatBody(f *testing.F) {
	fx := MustFixture(f)
	h := mustHandler(f, fx)
	for _, seed := range []string{
		`{"model":"fake:allowed-1","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"fake:allowed-1","messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],"stop":["x"],"stream":true}`,
		`{"model":"fake:other","messages":[{"role":"system","content":null},{"role":"assistant","content":"x"}],"max_tokens":5}`,
		`{"messages":[]}`, `[]`, `null`, `{"model":"fake:allowed-1","messages":[{}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fx.keys["good"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 403, 404, 429:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}

// FuzzSummaryBody does the same for the summaries route.
func FuzzSummaryBody(f *testing.F) {
	fx := MustFixture(f)
	h := mustHandler(f, fx)
	for _, seed := range []string{ticketJSON, `{"id":"1","turns":[{"role":"customer","text":"x"}]}`, `[` + ticketJSON + `]`, `{"id":5}`, "{}\n{}"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/v1/summaries", strings.NewReader(body))
		req.Header.Set("x-api-key", fx.keys["good"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 400 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
