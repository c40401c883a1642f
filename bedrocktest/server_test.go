package bedrocktest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// newClient returns a real bedrockruntime client for srv with retries off.
func newClient(srv *bedrocktest.Server, opts ...func(*bedrockruntime.Options)) *bedrockruntime.Client {
	cfg := srv.AWSConfig()
	return bedrockruntime.NewFromConfig(cfg, append([]func(*bedrockruntime.Options){func(o *bedrockruntime.Options) {
		o.Retryer = aws.NopRetryer{}
	}}, opts...)...)
}

func converseInput(model, system, user string) *bedrockruntime.ConverseInput {
	in := &bedrockruntime.ConverseInput{
		ModelId: aws.String(model),
		Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{
			&types.ContentBlockMemberText{Value: user},
		}}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(200)},
	}
	if system != "" {
		in.System = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: system}}
	}
	return in
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestConverseRoutesEveryModelIDForm(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	for _, id := range []string{
		"anthropic.claude-3-5-haiku-20241022-v1:0",
		"us.anthropic.claude-3-5-haiku-20241022-v1:0",
		"global.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0",
		"mistral.mistral-large-2407-v1:0",
		"amazon.titan-text-express-v1",
	} {
		out, err := client.Converse(context.Background(), converseInput(id, "Be brief.", "My printer driver crashes after the update."))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		text := out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value
		if want := bedrocktest.DefaultResponder(id, "My printer driver crashes after the update."); text != want {
			t.Errorf("%s: text = %q, want %q", id, text, want)
		}
		wantIn := bedrocktest.Tokens("Be brief.") + bedrocktest.Tokens("My printer driver crashes after the update.")
		if got := int(*out.Usage.InputTokens); got != wantIn {
			t.Errorf("%s: input tokens = %d, want %d", id, got, wantIn)
		}
		if got := int(*out.Usage.OutputTokens); got != bedrocktest.Tokens(text) {
			t.Errorf("%s: output tokens = %d, want %d", id, got, bedrocktest.Tokens(text))
		}
		if n := srv.Stats().Calls[id]; n != 1 {
			t.Errorf("%s: calls = %d, want 1", id, n)
		}
		req, _ := srv.LastRequest()
		if req.Model != id {
			t.Errorf("server saw model %q, want %q", req.Model, id)
		}
	}
}

func TestConverseStreamDecodesWithSDK(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	in := converseInput("us.amazon.nova-pro-v1:0", "", "The invoice total is wrong on my March bill.")
	out, err := client.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId: in.ModelId, Messages: in.Messages, InferenceConfig: in.InferenceConfig,
	})
	if err != nil {
		t.Fatal(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	var text strings.Builder
	var usage *types.TokenUsage
	var stop types.StopReason
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			text.WriteString(v.Value.Delta.(*types.ContentBlockDeltaMemberText).Value)
		case *types.ConverseStreamOutputMemberMessageStop:
			stop = v.Value.StopReason
		case *types.ConverseStreamOutputMemberMetadata:
			usage = v.Value.Usage
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := bedrocktest.DefaultResponder("", "The invoice total is wrong on my March bill.")
	if text.String() != want {
		t.Errorf("text = %q, want %q", text.String(), want)
	}
	if stop != types.StopReasonEndTurn {
		t.Errorf("stop = %q", stop)
	}
	if usage == nil || int(*usage.OutputTokens) != bedrocktest.Tokens(want) {
		t.Errorf("usage = %+v", usage)
	}
}

func TestErrorsDecodeAsModeledExceptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind bedrocktest.FaultKind
		code string
	}{
		{bedrocktest.FaultThrottle, "ThrottlingException"},
		{bedrocktest.FaultUnavailable, "ServiceUnavailableException"},
		{bedrocktest.FaultInternal, "InternalServerException"},
		{bedrocktest.FaultModelNotReady, "ModelNotReadyException"},
		{bedrocktest.FaultModelTimeout, "ModelTimeoutException"},
		{bedrocktest.FaultModelError, "ModelErrorException"},
		{bedrocktest.FaultQuotaExceeded, "ServiceQuotaExceededException"},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: tc.kind}}})
			_, err := newClient(srv).InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"), ContentType: aws.String("application/json"),
				Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`),
			})
			if got := errorCode(err); got != tc.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
			}
			if tc.kind == bedrocktest.FaultThrottle {
				var te *types.ThrottlingException
				if !errors.As(err, &te) {
					t.Errorf("error %T is not *types.ThrottlingException", err)
				}
			}
		})
	}
}

func TestCredentialScopeIsChecked(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Region: "eu-west-1"})
	cases := []struct {
		name string
		opt  func(*bedrockruntime.Options)
		code string
	}{
		{"wrong region", func(o *bedrockruntime.Options) { o.Region = "us-west-2" }, "InvalidSignatureException"},
		{"wrong service", bedrockruntime.WithSigV4SigningName("s3"), "InvalidSignatureException"},
		{"right scope", func(o *bedrockruntime.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider("AKID", "S", "")
		}, ""},
	}
	for _, tc := range cases {
		_, err := newClient(srv, tc.opt).Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "hello there"))
		if got := errorCode(err); got != tc.code {
			t.Errorf("%s: code = %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
}

func TestUnsignedRequestIsRejected(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	resp, err := srv.Client().Post(srv.URL+"/model/amazon.nova-micro-v1%3A0/converse", "application/json", strings.NewReader(`{"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("X-Amzn-ErrorType"), "MissingAuthenticationTokenException:") {
		t.Fatalf("status %d, error type %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

func TestQuotaThrottlesOverRPMAndRecoversNextMinute(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Clock:  clock,
		Quotas: map[string]bedrocktest.Quota{"amazon.nova-micro-v1:0": {RPM: 3}},
	})
	client := newClient(srv)
	var throttled int
	for range 5 {
		_, err := client.Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "hello"))
		if errorCode(err) == "ThrottlingException" {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled != 2 || srv.Stats().Throttled != 2 {
		t.Fatalf("throttled = %d (stats %d), want 2", throttled, srv.Stats().Throttled)
	}
	clock.Advance(61 * time.Second)
	if _, err := client.Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "hello")); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func asValidation(err error, target **types.ValidationException) bool { return errors.As(err, target) }

func cachePoint() types.SystemContentBlock {
	return &types.SystemContentBlockMemberCachePoint{Value: types.CachePointBlock{Type: types.CachePointTypeDefault}}
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
