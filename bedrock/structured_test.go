package bedrock_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/prompt"
)

// structuredRequest is a request that asks for the prompt's summary schema.
func structuredRequest(tb testing.TB, user string) *ticketsum.ModelRequest {
	tb.Helper()
	req := request(user)
	req.Output = prompt.Default().Schema()
	return req
}

func TestStructuredOutputPerFamily(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model  string
		choice string // the toolChoice key sent, "" for none (text)
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "tool"},
		{"us.anthropic.claude-sonnet-4-20250514-v1:0", "tool"},
		{"anthropic.claude-3-haiku-20240307-v1:0", "tool"},
		{"amazon.nova-lite-v1:0", "tool"},
		{"mistral.mistral-large-2407-v1:0", "any"},
		{"mistral.mistral-large-2402-v1:0", "any"},
		{"mistral.mistral-7b-instruct-v0:2", ""},
		{"meta.llama3-3-70b-instruct-v1:0", ""},
		{"amazon.titan-text-express-v1", ""},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(tt.model+map[bool]string{true: "/stream"}[stream], func(t *testing.T) {
				t.Parallel()
				srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
				m := MustModel(t, srv, bedrock.Config{ModelID: tt.model, Stream: stream})
				if got := m.Ref().ForcedToolChoice(); got != tt.choice {
					t.Errorf("ForcedToolChoice = %q, want %q", got, tt.choice)
				}
				resp, err := m.Generate(context.Background(), structuredRequest(t, "The invoice export failed. It works now, resolved."))
				if err != nil {
					t.Fatal(err)
				}
				last, _ := srv.LastRequest()
				var body struct {
					ToolConfig *struct {
						ToolChoice map[string]json.RawMessage `json:"toolChoice"`
					} `json:"toolConfig"`
				}
				if err := json.Unmarshal(last.Body, &body); err != nil {
					t.Fatal(err)
				}
				if tt.choice == "" {
					if body.ToolConfig != nil || resp.Structured {
						t.Fatalf("a model without a forced tool choice got toolConfig %v / structured %v", body.ToolConfig, resp.Structured)
					}
					return
				}
				if body.ToolConfig == nil || body.ToolConfig.ToolChoice[tt.choice] == nil {
					t.Fatalf("request toolConfig = %+v, want toolChoice.%s", body.ToolConfig, tt.choice)
				}
				var out struct{ Summary, Status string }
				if err := json.Unmarshal([]byte(resp.Text), &out); err != nil || !resp.Structured {
					t.Fatalf("answer %q (structured %v) is not the tool's JSON: %v", resp.Text, resp.Structured, err)
				}
				if a := prompt.ParseAnswer(resp.Text); a.Status != ticketsum.StatusResolved || a.Text != out.Summary || out.Summary == "" {
					t.Errorf("parsed %+v from %q", a, resp.Text)
				}
				if resp.Usage.OutputTokens != bedrocktest.Tokens(resp.Text) {
					t.Errorf("output tokens %d, want the tool input's %d", resp.Usage.OutputTokens, bedrocktest.Tokens(resp.Text))
				}
			})
		}
	}
}

func TestStructuredOutputWithoutStatus(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultNoStatus}}})
	m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0"})
	resp, err := m.Generate(context.Background(), structuredRequest(t, "The export failed."))
	if err != nil {
		t.Fatal(err)
	}
	if a := prompt.ParseAnswer(resp.Text); a.Status.Valid() || a.Text == "" {
		t.Fatalf("the no_status fault still gave a status: %+v", a)
	}
}

func TestStructuredOutputBadSchemaIsRejectedBeforeTheCall(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0"})
	req := request("x")
	req.Output = &ticketsum.OutputSchema{Name: "s", Schema: json.RawMessage("{not json")}
	if _, err := m.Generate(context.Background(), req); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if n := srv.Stats().Ops[bedrocktest.OpConverse]; n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

func TestInvokeAPIIgnoresStructuredOutput(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", API: bedrock.APIInvoke})
	resp, err := m.Generate(context.Background(), structuredRequest(t, "The export failed."))
	if err != nil || resp.Structured || resp.Text == "" {
		t.Fatalf("invoke answered %+v, %v; want text", resp, err)
	}
}
