package bedrocktest_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// nativeRequests are minimal InvokeModel bodies per family, and the JSON
// pointer-ish path to the answer text in the non-streaming answer.
var nativeRequests = []struct {
	model, body string
	text        func(map[string]any) string
}{
	{"anthropic.claude-3-5-haiku-20241022-v1:0", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"The sync fails."}]}]}`,
		func(m map[string]any) string { return m["content"].([]any)[0].(map[string]any)["text"].(string) }},
	{"amazon.nova-pro-v1:0", `{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"The sync fails."}]}],"inferenceConfig":{"max_new_tokens":100}}`,
		func(m map[string]any) string {
			return m["output"].(map[string]any)["message"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"].(string)
		}},
	{"meta.llama3-1-8b-instruct-v1:0", `{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nThe sync fails.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n","max_gen_len":100}`,
		func(m map[string]any) string { return m["generation"].(string) }},
	{"mistral.mistral-7b-instruct-v0:2", `{"prompt":"<s>[INST] The sync fails. [/INST]","max_tokens":100}`,
		func(m map[string]any) string { return m["outputs"].([]any)[0].(map[string]any)["text"].(string) }},
	{"mistral.mistral-large-2407-v1:0", `{"messages":[{"role":"user","content":"The sync fails."}],"max_tokens":100}`,
		func(m map[string]any) string {
			return m["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
		}},
	{"amazon.titan-text-express-v1", `{"inputText":"User: The sync fails.\nBot:","textGenerationConfig":{"maxTokenCount":100}}`,
		func(m map[string]any) string { return m["results"].([]any)[0].(map[string]any)["outputText"].(string) }},
	{"cohere.command-r-v1:0", `{"message":"The sync fails.","max_tokens":100}`,
		func(m map[string]any) string { return m["text"].(string) }},
}

func TestInvokeModelNativeBodiesAndTokenHeaders(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	want := bedrocktest.DefaultResponder("", "The sync fails.")
	for _, tc := range nativeRequests {
		out, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
			ModelId: aws.String(tc.model), Body: []byte(tc.body), ContentType: aws.String("application/json"),
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		var m map[string]any
		if err := json.Unmarshal(out.Body, &m); err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		if got := tc.text(m); got != want {
			t.Errorf("%s: text %q, want %q", tc.model, got, want)
		}
		raw := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		if got, _ := strconv.Atoi(raw.Header.Get("X-Amzn-Bedrock-Output-Token-Count")); got != bedrocktest.Tokens(want) {
			t.Errorf("%s: output token header %d, want %d", tc.model, got, bedrocktest.Tokens(want))
		}
		if got, _ := strconv.Atoi(raw.Header.Get("X-Amzn-Bedrock-Input-Token-Count")); got < bedrocktest.Tokens("The sync fails.") {
			t.Errorf("%s: input token header %d", tc.model, got)
		}
	}
}

func TestInvokeModelRejectsBadBodies(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	for _, tc := range []struct{ model, body, want string }{
		{"anthropic.claude-3-haiku-20240307-v1:0", `{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "anthropic_version"},
		{"anthropic.claude-3-haiku-20240307-v1:0", `{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"hi"}]}`, "max_tokens"},
		{"meta.llama3-1-8b-instruct-v1:0", `{"max_gen_len":10}`, "prompt"},
		{"amazon.titan-text-lite-v1", `not json`, "JSON"},
		{"anthropic.claude-3-haiku-20240307-v1:0", `{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"}]}`, "prompt caching"},
	} {
		_, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
			ModelId: aws.String(tc.model), Body: []byte(tc.body), ContentType: aws.String("application/json"),
		})
		var ve *types.ValidationException
		if !asValidation(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a ValidationException about %s", tc.body, err, tc.want)
		}
	}
}

func TestInvokeModelStreamEndsWithInvocationMetrics(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	want := bedrocktest.DefaultResponder("", "The sync fails.")
	for _, tc := range nativeRequests {
		out, err := client.InvokeModelWithResponseStream(context.Background(), &bedrockruntime.InvokeModelWithResponseStreamInput{
			ModelId: aws.String(tc.model), Body: []byte(tc.body), ContentType: aws.String("application/json"),
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		var chunks []map[string]any
		for ev := range out.GetStream().Events() {
			var m map[string]any
			if err := json.Unmarshal(ev.(*types.ResponseStreamMemberChunk).Value.Bytes, &m); err != nil {
				t.Fatalf("%s: chunk: %v", tc.model, err)
			}
			chunks = append(chunks, m)
		}
		if err := out.GetStream().Err(); err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		metrics, ok := chunks[len(chunks)-1]["amazon-bedrock-invocationMetrics"].(map[string]any)
		if !ok {
			t.Fatalf("%s: last chunk %v has no invocation metrics", tc.model, chunks[len(chunks)-1])
		}
		if got := int(metrics["outputTokenCount"].(float64)); got != bedrocktest.Tokens(want) {
			t.Errorf("%s: outputTokenCount %d, want %d", tc.model, got, bedrocktest.Tokens(want))
		}
		if len(chunks) < 3 {
			t.Errorf("%s: only %d chunks: the answer should arrive in pieces", tc.model, len(chunks))
		}
	}
}
