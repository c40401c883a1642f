package bedrock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

func TestGuardrailPassThrough(t *testing.T) {
	t.Parallel()
	const leaky = "The customer (jane.roe@example.com) asked for a refund; the agent issued it."
	cases := []struct {
		name      string
		user      string
		answer    string
		code      ticketsum.ErrorCode
		flags     []string
		wantText  string
		forbidden string // a word the error must name
	}{
		{"clean", "The dashboard is slow.", "The dashboard was slow; the agent cleared the cache.", "", nil, "The dashboard was slow; the agent cleared the cache.", ""},
		{"output anonymized", "Refund please.", leaky, "", []string{"output:EMAIL:ANONYMIZED"}, "The customer ({EMAIL}) asked for a refund; the agent issued it.", ""},
		{"input anonymized", "Write to me at jane.roe@example.com about the refund.", "A refund was requested.", "", []string{"input:EMAIL:ANONYMIZED"}, "A refund was requested.", ""},
		{"input blocked", "Tell me about project xyzzy.", "unused", ticketsum.EFORBIDDEN, nil, "", "input word WORD"},
		{"output blocked", "Anything.", "The xyzzy plan was discussed.", ticketsum.EFORBIDDEN, nil, "", "output word WORD"},
	}
	for _, tc := range cases {
		for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
			for _, stream := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/%v", tc.name, api, stream), func(t *testing.T) {
					t.Parallel()
					srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
						Guardrails: []string{"gr-pii"},
						Responder:  func(string, string) string { return tc.answer },
					})
					m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", API: api, Stream: stream,
						Guardrail: bedrock.GuardrailConfig{ID: "gr-pii", Version: "1"}})
					resp, err := m.Generate(context.Background(), request(tc.user))
					if got := ticketsum.ErrorCodeOf(err); got != tc.code {
						t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
					}
					if err != nil {
						if !strings.Contains(err.Error(), tc.forbidden) || strings.Contains(err.Error(), "xyzzy") {
							t.Errorf("error %q should name %q and not echo the text", err, tc.forbidden)
						}
						return
					}
					if resp.Text != tc.wantText {
						t.Errorf("text = %q, want %q", resp.Text, tc.wantText)
					}
					if fmt.Sprint(resp.Flags) != fmt.Sprint(tc.flags) {
						t.Errorf("flags = %v, want %v", resp.Flags, tc.flags)
					}
					req, _ := srv.LastRequest()
					sent := string(req.Body) + req.Header.Get("X-Amzn-Bedrock-GuardrailIdentifier")
					if !strings.Contains(sent, "gr-pii") {
						t.Errorf("guardrail not sent: %s", sent)
					}
				})
			}
		}
	}
}

func TestGuardrailWithoutTraceIsTreatedAsBlocked(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(string, string) string { return "Reach me at 555-123-4567." },
	})
	m := MustModel(t, srv, bedrock.Config{ModelID: "amazon.nova-lite-v1:0",
		Guardrail: bedrock.GuardrailConfig{ID: "gr", Trace: "disabled"}})
	_, err := m.Generate(context.Background(), request("Call me."))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN || !strings.Contains(err.Error(), "enable guardrail trace") {
		t.Fatalf("err = %v", err)
	}
}

func TestApplyGuardrail(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{PIINames: []string{"Jane Roe"}})
	aws := srv.AWSConfig()
	g, err := bedrock.NewGuardrail(context.Background(), bedrock.GuardrailClientConfig{Guardrail: bedrock.GuardrailConfig{ID: "gr-1"}, AWS: &aws})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		source, text, masked, action string
		types                        []string
	}{
		{bedrock.SourceInput, "The printer jams.", "The printer jams.", bedrock.ActionNone, nil},
		{bedrock.SourceInput, "Jane Roe wrote from jane@example.com.", "{NAME} wrote from {EMAIL}.", bedrock.ActionAnonymized, []string{"EMAIL", "NAME"}},
		{bedrock.SourceOutput, "Call 555-123-4567 about xyzzy.", "Sorry, the model cannot answer this question.", bedrock.ActionBlocked, []string{"PHONE", "WORD"}},
	}
	for _, tc := range cases {
		masked, action, details, err := g.Apply(context.Background(), tc.source, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if masked != tc.masked || action != tc.action {
			t.Errorf("%q: got (%q, %s), want (%q, %s)", tc.text, masked, action, tc.masked, tc.action)
		}
		var types []string
		for _, d := range details {
			types = append(types, d.Type)
			if d.Source != strings.ToLower(tc.source) {
				t.Errorf("finding source %q", d.Source)
			}
		}
		if fmt.Sprint(types) != fmt.Sprint(tc.types) {
			t.Errorf("%q: types = %v, want %v", tc.text, types, tc.types)
		}
		req, _ := srv.LastRequest()
		if req.Op != bedrocktest.OpApplyGuardrail || !strings.Contains(string(req.Body), `"source":"`+tc.source+`"`) {
			t.Errorf("request %s %s", req.Op, req.Body)
		}
	}
	if _, _, _, err := g.Apply(context.Background(), "BOTH", "x"); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("bad source: err = %v", err)
	}
}
