package openai

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzDecodeAnswer checks that decodeAnswer, with its token fast path,
// decodes every answer as encoding/json does, or fails where it fails.
func FuzzDecodeAnswer(f *testing.F) {
	for _, seed := range []string{
		plainAnswer,
		`{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"summary","arguments":"{\"text\":\"x\"}"}}]},"finish_reason":"tool_calls"}]}`,
		`{"choices":[{"message":{"content":"caf\u00e9 \"q\" \ud83d\ude00 <b>"},"finish_reason":null}],"usage":null}`,
		`{"choices":[],"usage":{"prompt_tokens":1}}`, `{"choices":null}`, `{"choices":[null,{}]}`, `{}`, `null`, `[]`, ``,
		`{"Choices":[{"message":{"content":"x"}}]}`, `{"choices":[{"message":{"content":"a","content":"b"}}]}`,
		`{"choices":[{"message":{"content":7}}]}`, `{"usage":{"prompt_tokens":1.5}}`, `{"usage":{"prompt_tokens":1e2}}`,
		`{"usage":{"prompt_tokens":-3,"completion_tokens":99999999999999999999}}`, `{"choices":[]} {}`, `{"choices":[]}` + "\n",
		"{\"choices\":[{\"message\":{\"content\":\"raw \xff byte\"}}]}", `{"choices":[{"message":{"content":"bad \ud800"}}]}`,
		`{"choices":[{"message":{"tool_calls":[]}}]}`, `{"choices":[{"message":{"tool_calls":null,"content":"x"}}]}`,
		`{"choices":[{"message":{"tool_calls":[{"function":null},{"function":{"arguments":null}}]}}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var want, got wireResponse
		wantErr := json.Unmarshal([]byte(body), &want)
		gotErr := decodeAnswer([]byte(body), &got)
		if (gotErr == nil) != (wantErr == nil) || (wantErr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("answer %q:\nfast path %+v, %v\nencoding/json %+v, %v", body, got, gotErr, want, wantErr)
		}
	})
}

// plainAnswer is an OpenAI chat completion as servers send it.
const plainAnswer = `{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The export works.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":27,"total_tokens":69,"prompt_tokens_details":{"cached_tokens":10,"audio_tokens":0}}}`

// TestDecodeAnswerFastPath checks that a plain answer takes the fast path
// (FuzzDecodeAnswer checks only that both paths agree).
func TestDecodeAnswerFastPath(t *testing.T) {
	var res wireResponse
	if !fastAnswer(jsontext.NewDecoder(strings.NewReader(plainAnswer)), &res) || len(res.Choices) != 1 ||
		res.Choices[0].Message.Content != "The export works." || res.Choices[0].FinishReason != "stop" ||
		res.Usage.PromptTokens != 42 || res.Usage.CompletionTokens != 27 || res.Usage.PromptTokensDetails.CachedTokens != 10 {
		t.Fatalf("plain answer not decoded by the fast path: %+v", res)
	}
}

// BenchmarkDecodeAnswer decodes a plain answer with decodeAnswer and, for
// comparison, with encoding/json.
func BenchmarkDecodeAnswer(b *testing.B) {
	raw := []byte(plainAnswer)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var res wireResponse
			if err := decodeAnswer(raw, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var res wireResponse
			if err := json.Unmarshal(raw, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
