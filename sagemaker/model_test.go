package sagemaker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/sagemaker"
)

// MustModel returns a SageMaker model pointed at srv.
func MustModel(tb testing.TB, srv *bedrocktest.Server, cfg sagemaker.Config) *sagemaker.Model {
	tb.Helper()
	aws := srv.AWSConfig()
	cfg.AWS = &aws
	m, err := sagemaker.New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("sagemaker.New: %v", err)
	}
	return m
}

func request(user string) *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{
		System:    "Summarise the support ticket in one neutral paragraph.",
		Messages:  []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: user}},
		MaxTokens: 120,
	}
}

func TestPayloadStyles(t *testing.T) {
	t.Parallel()
	const user = "Customer: the mobile app crashes when I upload a photo. Agent: fixed in 4.2; resolved."
	cases := []struct {
		name      string
		payload   string
		noUsage   bool
		component string
		estimated bool
		bodyHas   []string
	}{
		{"tgi", sagemaker.PayloadTGI, false, "", true, []string{`"inputs":`, `"max_new_tokens":120`}},
		{"openai", sagemaker.PayloadOpenAI, false, "", false, []string{`"messages":`, `"max_tokens":120`, `"role":"system"`}},
		{"openai without usage", sagemaker.PayloadOpenAI, true, "", true, []string{`"messages":`}},
		{"inference component", sagemaker.PayloadOpenAI, false, "llama-ic-1", false, []string{`"messages":`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var seen string
			respond := func(model, prompt string) string {
				seen = prompt
				return bedrocktest.DefaultResponder(model, prompt)
			}
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{SageMakerNoUsage: tc.noUsage, SageMakerEndpoints: []string{"ticket-llm"}, Responder: respond})
			m := MustModel(t, srv, sagemaker.Config{Endpoint: "ticket-llm", Payload: tc.payload, InferenceComponent: tc.component})
			resp, err := m.Generate(context.Background(), request(user))
			if err != nil {
				t.Fatal(err)
			}
			if want := bedrocktest.DefaultResponder("", seen); resp.Text != want || !strings.Contains(seen, user) {
				t.Errorf("text = %q, want %q; the model saw %q", resp.Text, want, seen)
			}
			if resp.Model != "sagemaker:ticket-llm" {
				t.Errorf("model = %q", resp.Model)
			}
			gotFlag := len(resp.Flags) == 1 && resp.Flags[0] == sagemaker.FlagEstimatedUsage
			if gotFlag != tc.estimated {
				t.Errorf("flags = %v, estimated = %v", resp.Flags, tc.estimated)
			}
			if resp.Usage.OutputTokens != sagemaker.EstimateTokens(resp.Text) || resp.Usage.InputTokens < sagemaker.EstimateTokens(user) {
				t.Errorf("usage = %+v", resp.Usage)
			}
			req, _ := srv.LastRequest()
			for _, s := range tc.bodyHas {
				if !strings.Contains(string(req.Body), s) {
					t.Errorf("body %s lacks %s", req.Body, s)
				}
			}
			if got := req.Header.Get("X-Amzn-SageMaker-Inference-Component"); got != tc.component {
				t.Errorf("inference component header = %q, want %q", got, tc.component)
			}
			if auth := req.Header.Get("Authorization"); !strings.Contains(auth, "/sagemaker/aws4_request") {
				t.Errorf("Authorization = %q", auth)
			}
		})
	}
}

func TestErrorTranslation(t *testing.T) {
	t.Parallel()
	fault := func(k bedrocktest.FaultKind) bedrocktest.Config {
		return bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: k}}}
	}
	cases := []struct {
		name     string
		srv      bedrocktest.Config
		endpoint string
		timeout  time.Duration
		code     ticketsum.ErrorCode
		message  string
	}{
		{"throttled", fault(bedrocktest.FaultThrottle), "ep", 0, ticketsum.ETHROTTLED, "SageMaker throttled endpoint ep"},
		{"quota", bedrocktest.Config{Quotas: map[string]bedrocktest.Quota{"ep": {RPM: 1}}, Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Every: 2}}}, "ep", 0, ticketsum.ETHROTTLED, "SageMaker throttled"},
		{"unavailable", fault(bedrocktest.FaultUnavailable), "ep", 0, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep could not answer"},
		{"internal", fault(bedrocktest.FaultInternal), "ep", 0, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep could not answer"},
		{"not ready", fault(bedrocktest.FaultModelNotReady), "ep", 0, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep could not answer"},
		{"model error", fault(bedrocktest.FaultModelError), "ep", 0, ticketsum.EUNAVAILABLE, "the model on endpoint ep failed"},
		{"malformed", fault(bedrocktest.FaultMalformed), "ep", 0, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep returned an answer that is not tgi style"},
		{"hang", fault(bedrocktest.FaultTimeout), "ep", 100 * time.Millisecond, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep timed out"},
		{"unknown endpoint", bedrocktest.Config{SageMakerEndpoints: []string{"other"}}, "ep", 0, ticketsum.ENOTFOUND, "SageMaker endpoint ep not found in us-east-1"},
		{"too long", bedrocktest.Config{ContextWindows: map[string]int{"ep": 50}}, "ep", 0, ticketsum.EINVALID, "ticket too long for endpoint ep's context window"},
		{"wrong key", bedrocktest.Config{AccessKeyID: "AKIDOTHER"}, "ep", 0, ticketsum.EUNAUTHORIZED, "AWS rejected the credentials"},
		{"container overloaded (429)", fault(bedrocktest.FaultOverloaded), "ep", 0, ticketsum.ETHROTTLED, "the model on endpoint ep is overloaded (429)"},
		{"access denied", fault(bedrocktest.FaultAccessDenied), "ep", 0, ticketsum.EFORBIDDEN, "access to SageMaker endpoint ep denied"},
		{"not found fault", fault(bedrocktest.FaultNotFound), "ep", 0, ticketsum.ENOTFOUND, "SageMaker endpoint ep not found"},
		{"validation", fault(bedrocktest.FaultValidation), "ep", 0, ticketsum.EINVALID, "SageMaker rejected the request to ep: check models.<name>.payload"},
		{"stall past the deadline", bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultStall, Delay: time.Minute}}}, "ep", 100 * time.Millisecond, ticketsum.EUNAVAILABLE, "SageMaker endpoint ep timed out"},
		{"dropped after answering", fault(bedrocktest.FaultDropAfterAnswer), "ep", 0, ticketsum.EUNAVAILABLE, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, tc.srv)
			m := MustModel(t, srv, sagemaker.Config{Endpoint: tc.endpoint})
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			var err error
			for range 2 { // the quota case throttles the second call
				if _, err = m.Generate(ctx, request("The password reset email never arrives.")); err != nil {
					break
				}
			}
			if got := ticketsum.ErrorCodeOf(err); got != tc.code {
				t.Fatalf("code = %s (%v), want %s", got, err, tc.code)
			}
			if msg := ticketsum.ErrorMessage(err); !strings.HasPrefix(msg, tc.message) {
				t.Errorf("message = %q, want it to start with %q", msg, tc.message)
			}
			want := map[ticketsum.ErrorCode]ticketsum.FailureClass{ticketsum.ETHROTTLED: ticketsum.ClassRetryable, ticketsum.EUNAVAILABLE: ticketsum.ClassRetryable,
				ticketsum.EFORBIDDEN: ticketsum.ClassConfig, ticketsum.ENOTFOUND: ticketsum.ClassConfig, ticketsum.EUNAUTHORIZED: ticketsum.ClassConfig,
				ticketsum.EINVALID: ticketsum.ClassConfig}[tc.code]
			if tc.name == "too long" {
				want = ticketsum.ClassBadTicket
			}
			if got := ticketsum.ClassOf(err); got != want {
				t.Errorf("class = %s, want %s", got, want)
			}
		})
	}
}

func TestConfigIsValidated(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	aws := srv.AWSConfig()
	for _, cfg := range []sagemaker.Config{
		{},
		{Endpoint: "bad_name"},
		{Endpoint: strings.Repeat("a", 64)},
		{Endpoint: "ep", Payload: "jumpstart"},
		{Endpoint: "ep", MaxTokens: -1},
	} {
		cfg.AWS = &aws
		if _, err := sagemaker.New(context.Background(), cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", cfg, err)
		}
	}
	m := MustModel(t, srv, sagemaker.Config{Endpoint: "ep"})
	if _, err := m.Generate(context.Background(), &ticketsum.ModelRequest{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("empty request: err = %v", err)
	}
}

func ExampleNew() {
	srv, _ := bedrocktest.NewServer(bedrocktest.Config{})
	defer srv.Close()
	aws := srv.AWSConfig()
	m, err := sagemaker.New(context.Background(), sagemaker.Config{Endpoint: "ticket-llm", Payload: sagemaker.PayloadOpenAI, AWS: &aws})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := m.Generate(context.Background(), request("The shipping label printer is offline. Agent: reconnected it; resolved."))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Model)
	fmt.Println(resp.Text)
	fmt.Println(resp.Usage.OutputTokens > 0, resp.Flags)
	// Output:
	// sagemaker:ticket-llm
	// The customer contacted support about a problem with shipping, label and printer. The agent reviewed the details and explained the steps to fix it. The issue is resolved.
	// true []
}
