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

func TestGenerateEveryFamilyAndAPI(t *testing.T) {
	t.Parallel()
	models := []struct {
		id     string
		maxKey string // how the native body names max tokens
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", `"max_tokens":300`},
		{"us.amazon.nova-lite-v1:0", `"max_new_tokens":300`},
		{"meta.llama3-3-70b-instruct-v1:0", `"max_gen_len":300`},
		{"mistral.mistral-large-2407-v1:0", `"max_tokens":300`},
		{"mistral.mistral-7b-instruct-v0:2", `"max_tokens":300`},
		{"amazon.titan-text-express-v1", `"maxTokenCount":300`},
	}
	for _, md := range models {
		for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
			for _, stream := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/stream=%v", md.id, api, stream), func(t *testing.T) {
					t.Parallel()
					rec := &recorder{}
					srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: rec.respond})
					m := MustModel(t, srv, bedrock.Config{ModelID: md.id, API: api, Stream: stream})
					user := "Customer: my invoices will not print since the update. Agent: reinstalled the driver."
					resp, err := m.Generate(context.Background(), request(user))
					if err != nil {
						t.Fatal(err)
					}
					want := rec.respond(md.id, "")
					if resp.Text != want {
						t.Errorf("text = %q, want %q", resp.Text, want)
					}
					if resp.Model != "bedrock:"+md.id {
						t.Errorf("model = %q", resp.Model)
					}
					if resp.Usage.OutputTokens != bedrocktest.Tokens(want) {
						t.Errorf("output tokens = %d, want %d", resp.Usage.OutputTokens, bedrocktest.Tokens(want))
					}
					if resp.Usage.InputTokens < bedrocktest.Tokens(user) {
						t.Errorf("input tokens = %d, want at least %d", resp.Usage.InputTokens, bedrocktest.Tokens(user))
					}
					if resp.StopReason != "end_turn" {
						t.Errorf("stop reason %q, want end_turn whatever the family", resp.StopReason)
					}
					if !strings.Contains(rec.prompts[0], "my invoices will not print") {
						t.Errorf("the model saw prompt %q", rec.prompts[0])
					}
					req, _ := srv.LastRequest()
					wantOp := map[string]string{
						"converse/false": bedrocktest.OpConverse, "converse/true": bedrocktest.OpConverseStream,
						"invoke/false": bedrocktest.OpInvokeModel, "invoke/true": bedrocktest.OpInvokeModelStream,
					}[fmt.Sprintf("%s/%v", api, stream)]
					if req.Op != wantOp {
						t.Errorf("operation = %s, want %s", req.Op, wantOp)
					}
					maxKey := md.maxKey
					if api == bedrock.APIConverse {
						maxKey = `"maxTokens":300`
					}
					if !strings.Contains(string(req.Body), maxKey) {
						t.Errorf("body %s does not set %s", req.Body, maxKey)
					}
				})
			}
		}
	}
}

func TestMaxTokensStopReasonIsNormalised(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	for _, id := range []string{"meta.llama3-1-8b-instruct-v1:0", "amazon.titan-text-lite-v1", "mistral.mistral-7b-instruct-v0:2", "amazon.nova-micro-v1:0"} {
		for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
			for _, stream := range []bool{false, true} {
				m := MustModel(t, srv, bedrock.Config{ModelID: id, API: api, Stream: stream})
				req := request("The checkout page times out when I pay by card.")
				req.MaxTokens = 3
				resp, err := m.Generate(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StopReason != "max_tokens" || resp.Usage.OutputTokens != 3 {
					t.Errorf("%s %s stream=%v: stop %q, %d output tokens", id, api, stream, resp.StopReason, resp.Usage.OutputTokens)
				}
			}
		}
	}
}

func TestConverseUsageIsExact(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	m := MustModel(t, srv, bedrock.Config{ModelID: "amazon.nova-micro-v1:0"})
	req := request("The app logs me out every five minutes on Android.")
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := ticketsum.Usage{
		InputTokens:  bedrocktest.Tokens(req.System) + bedrocktest.Tokens(req.Messages[0].Content),
		OutputTokens: bedrocktest.Tokens(resp.Text),
	}
	if resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if resp.Text != bedrocktest.DefaultResponder("", req.Messages[0].Content) {
		t.Errorf("text = %q", resp.Text)
	}
}

func TestModelIDFormsAreRoutedWhole(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	ids := []string{
		"anthropic.claude-3-5-sonnet-20241022-v2:0",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0",
		"eu.amazon.nova-pro-v1:0",
		"apac.amazon.nova-lite-v1:0",
		"global.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-8b-instruct-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-micro-v1:0",
	}
	for _, id := range ids {
		for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
			m := MustModel(t, srv, bedrock.Config{ModelID: id, API: api})
			if _, err := m.Generate(context.Background(), request("The export button is greyed out.")); err != nil {
				t.Fatalf("%s %s: %v", id, api, err)
			}
			req, _ := srv.LastRequest()
			if req.Model != id {
				t.Errorf("%s: server saw %q", id, req.Model)
			}
			if !strings.Contains(req.EscapedPath, "%3A") && strings.Contains(id, ":") {
				t.Errorf("%s: path %s does not escape ':'", id, req.EscapedPath)
			}
			if strings.Contains(id, "/") && !strings.Contains(req.EscapedPath, "%2F") {
				t.Errorf("%s: path %s does not escape '/'", id, req.EscapedPath)
			}
		}
		if n := srv.Stats().Calls[id]; n != 2 {
			t.Errorf("%s: %d calls, want 2", id, n)
		}
	}
}

func TestApplicationProfileNeedsFamilyForInvoke(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	aws := srv.AWSConfig()
	arn := "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5"
	_, err := bedrock.New(context.Background(), bedrock.Config{ModelID: arn, API: bedrock.APIInvoke, AWS: &aws})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "family") {
		t.Fatalf("err = %v, want EINVALID naming the family", err)
	}
	m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: arn, API: bedrock.APIInvoke, Family: bedrock.FamilyAnthropic, AWS: &aws})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Ref(); got.Base != "" || !got.ARN || got.Family != bedrock.FamilyAnthropic {
		t.Errorf("ref = %+v", got)
	}
}

func TestParseModelID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id, base, profile, family string
		caching                   bool
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0", "", bedrock.FamilyAnthropic, true},
		{"anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", "", bedrock.FamilyAnthropic, false},
		{"global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0", "global", bedrock.FamilyAnthropic, true},
		{"us-gov.meta.llama3-8b-instruct-v1:0", "meta.llama3-8b-instruct-v1:0", "us-gov", bedrock.FamilyLlama, false},
		{"arn:aws:bedrock:eu-west-1:1:inference-profile/eu.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0", "eu", bedrock.FamilyNova, true},
		{"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1", "amazon.titan-text-lite-v1", "", bedrock.FamilyTitan, false},
		{"arn:aws:bedrock:us-east-1:1:provisioned-model/abc", "", "", "", false},
		{"cohere.command-r-v1:0", "cohere.command-r-v1:0", "", "", false},
	}
	for _, tc := range cases {
		r := bedrock.ParseModelID(tc.id)
		if r.Base != tc.base || r.Profile != tc.profile || r.Family != tc.family || r.SupportsCaching() != tc.caching {
			t.Errorf("%s: got %+v caching=%v", tc.id, r, r.SupportsCaching())
		}
	}
}

func TestConfigIsValidated(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	aws := srv.AWSConfig()
	cases := []struct {
		name string
		cfg  bedrock.Config
		want string
	}{
		{"no model", bedrock.Config{}, "no model ID"},
		{"bad api", bedrock.Config{ModelID: "amazon.nova-micro-v1:0", API: "chat"}, "API"},
		{"bad family", bedrock.Config{ModelID: "amazon.nova-micro-v1:0", Family: "gpt"}, "family"},
		{"negative max", bedrock.Config{ModelID: "amazon.nova-micro-v1:0", MaxTokens: -1}, "MaxTokens"},
		{"bad trace", bedrock.Config{ModelID: "amazon.nova-micro-v1:0", Guardrail: bedrock.GuardrailConfig{ID: "g", Trace: "on"}}, "trace"},
		{"version without id", bedrock.Config{ModelID: "amazon.nova-micro-v1:0", Guardrail: bedrock.GuardrailConfig{Version: "1"}}, "without a guardrail ID"},
		{"invoke unknown family", bedrock.Config{ModelID: "cohere.command-r-v1:0", API: bedrock.APIInvoke}, "family"},
	}
	for _, tc := range cases {
		tc.cfg.AWS = &aws
		_, err := bedrock.New(context.Background(), tc.cfg)
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want EINVALID with %q", tc.name, err, tc.want)
		}
	}
}

func TestBadRequestsAreRejectedBeforeTheCall(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	m := MustModel(t, srv, bedrock.Config{ModelID: "amazon.nova-micro-v1:0"})
	for _, req := range []*ticketsum.ModelRequest{
		nil,
		{},
		{Messages: []ticketsum.ChatMessage{{Role: "system", Content: "x"}}},
		{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "x"}}, MaxTokens: -5},
	} {
		if _, err := m.Generate(context.Background(), req); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", req, err)
		}
	}
	if n := srv.Stats().Ops[bedrocktest.OpConverse]; n != 0 {
		t.Errorf("%d calls reached the server", n)
	}
}

func TestMaxTokensDefaultIsAlwaysSent(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
		m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-haiku-20240307-v1:0", API: api})
		req := request("hello")
		req.MaxTokens = 0
		if _, err := m.Generate(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		last, _ := srv.LastRequest()
		want := fmt.Sprintf(`"maxTokens":%d`, bedrock.DefaultMaxTokens)
		if api == bedrock.APIInvoke {
			want = fmt.Sprintf(`"max_tokens":%d`, bedrock.DefaultMaxTokens)
		}
		if !strings.Contains(string(last.Body), want) {
			t.Errorf("%s body %s lacks %s", api, last.Body, want)
		}
	}
}
