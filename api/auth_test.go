package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// errorBody reads both error shapes: {"error": {"code", "message"}} and
// OpenAI's {"error": {"message", "type", "param", "code"}}.
type errorBody struct {
	Error struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Type    *string `json:"type"`
	} `json:"error"`
}

// TestAuthorizationMatrix runs every way a call can be refused against
// both governed routes, with the real access service on SQLite.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	unknownKey := "tks_aaaaaaaa_" + strings.Repeat("A", 43)
	tests := []struct {
		name    string
		key     string
		model   string
		status  int
		code    string
		message string
	}{
		{"no key", "", modelAllowed, 401, "unauthorized", "no API key"},
		{"malformed key", "tks_nope", modelAllowed, 401, "unauthorized", "API key is malformed"},
		{"unknown key", unknownKey, modelAllowed, 401, "unauthorized", "is not valid (rule: unknown key)"},
		{"revoked key", f.keys["revoked"], modelAllowed, 401, "unauthorized", "was revoked on 2026-11-25"},
		{"expired key", f.keys["expired"], modelAllowed, 401, "unauthorized", "expired on 2026-09-16"},
		{"model not allowed", f.keys["good"], modelOther, 403, "forbidden", "principal team-a may not call model fake:other: it is not in allow-list"},
		{"model not approved", f.keys["good"], modelUnapproved, 403, "forbidden", "not approved"},
		{"over budget", f.keys["broke"], modelAllowed, 429, "quota_exceeded", "monthly budget of $0.00 for principal team-broke is spent"},
		{"allowed", f.keys["good"], modelAllowed, 200, "", ""},
	}
	routes := []struct {
		name   string
		openAI bool
		url    func(model string) string
		body   func(model string) string
	}{
		{"chat", true, func(string) string { return srv.URL + "/v1/chat/completions" },
			func(model string) string {
				return `{"model":"` + model + `","messages":[{"role":"user","content":"hello"}]}`
			}},
		{"summaries", false, func(model string) string { return srv.URL + "/v1/summaries?model=" + model },
			func(string) string {
				return `{"id":"T-1","subject":"refunds","messages":[{"role":"customer","body":"Where is my refund?"}]}`
			}},
	}
	for _, rt := range routes {
		for _, tt := range tests {
			t.Run(rt.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				resp := do(t, "POST", rt.url(tt.model), tt.key, rt.body(tt.model))
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
				}
				if resp.Header.Get("X-Request-Id") == "" {
					t.Error("no X-Request-Id")
				}
				if tt.status == 200 {
					return
				}
				var e errorBody
				if err := json.Unmarshal(body, &e); err != nil {
					t.Fatalf("error body %s: %v", body, err)
				}
				if e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.message) {
					t.Errorf("error %q %q, want %q containing %q", e.Error.Code, e.Error.Message, tt.code, tt.message)
				}
				if (e.Error.Type != nil) != rt.openAI {
					t.Errorf("error type %v: want OpenAI shape %v", e.Error.Type, rt.openAI)
				}
				if tt.key != "" && strings.Contains(string(body), tt.key) {
					t.Errorf("error body echoes the key: %s", body)
				}
				if len(tt.key) > 20 && strings.Contains(string(body), tt.key[13:]) {
					t.Errorf("error body contains the key's secret: %s", body)
				}
				switch tt.status {
				case 401:
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
				case 429:
					// the budget resets on 2026-12-01 00:00 UTC, 5 days 15 hours after testNow
					if got := resp.Header.Get("Retry-After"); got != strconv.Itoa(5*86400+15*3600) {
						t.Errorf("Retry-After %q, want seconds until the next month", got)
					}
				}
			})
		}
	}
}

// TestKeyHeaders accepts the key as x-api-key and as a lower-case bearer,
// and rejects other schemes.
func TestKeyHeaders(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	tests := []struct {
		name   string
		header string
		value  string
		status int
		msg    string
	}{
		{"x-api-key", "x-api-key", f.keys["good"], 200, ""},
		{"lower-case bearer", "Authorization", "bearer " + f.keys["good"], 200, ""},
		{"basic scheme", "Authorization", "Basic " + f.keys["good"], 401, "must be \"Bearer tks_...\""},
		{"empty bearer", "Authorization", "Bearer ", 401, "must be \"Bearer"},
		{"empty x-api-key", "x-api-key", " ", 401, "no API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
			req.Header.Set(tt.header, tt.value)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			var e errorBody
			json.Unmarshal(body, &e)
			if tt.msg != "" && !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("body %s does not say %q", body, tt.msg)
			}
			if strings.Contains(string(body), f.keys["good"]) {
				t.Errorf("body echoes the key: %s", body)
			}
		})
	}
}

// TestRequestIDReachesModel checks that the principal and a sane caller
// request id travel on the model request, and that an unsafe one is
// replaced.
func TestRequestIDReachesModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"sane id kept", "abc-123_x.y:z", true},
		{"unsafe id replaced", "<script>", false},
		{"none", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := MustFixture(t)
			srv := MustServer(t, f, nil)
			req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions",
				strings.NewReader(`{"model":"`+modelAllowed+`","messages":[{"role":"user","content":"hi"}]}`))
			req.Header.Set("Authorization", "Bearer "+f.keys["good"])
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("X-Request-Id")
			last := f.models.Last()
			if last == nil {
				t.Fatal("model not called")
			}
			if last.Meta.Principal != "team-a" || last.Meta.RequestID != got || last.Meta.UseCase != "chat.completions" {
				t.Errorf("meta %+v, want principal team-a, request id %q", last.Meta, got)
			}
			if (got == tt.sent) != tt.kept || got == "" {
				t.Errorf("request id %q for sent %q, kept want %v", got, tt.sent, tt.kept)
			}
		})
	}
}
