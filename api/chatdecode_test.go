package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// chatOutcome is what a decoded chat body leads to: the model request or
// the refusal, and whether the answer streams.
type chatOutcome struct {
	Req          *ticketsum.ModelRequest
	Err          string
	Stream       bool
	IncludeUsage bool
}

func decodeOutcome(in *chatRequest, err error) chatOutcome {
	if err != nil {
		return chatOutcome{Err: err.Error()}
	}
	h := &Handler{cfg: Config{MaxOutputTokens: 4096}}
	req, err := h.modelRequest(in)
	o := chatOutcome{Req: req, Stream: in.Stream, IncludeUsage: in.StreamOptions != nil && in.StreamOptions.IncludeUsage}
	if err != nil {
		o = chatOutcome{Err: err.Error()}
	}
	return o
}

// FuzzChatDecode checks that decodeChatRequest, with its token fast path,
// means the same as decodeJSON for every body: the same model request, or
// the same refusal word for word.
func FuzzChatDecode(f *testing.F) {
	user := `"messages":[{"role":"user","content":"hi"}]`
	for _, seed := range []string{
		benchChatBody,
		``, `{"model":`, `{"model" "x"}`, `[1]`, `null`, `{}`, `{"model":3,` + user + `}`,
		`{"model":"m",` + user + `} {}`, `{"model":"m",` + user + `} x`, `{"model":"m",` + user + "}\n",
		`{"model":"m","messages":[{"role":"system","content":"x"}]}`,
		`{"model":"m","messages":[{"role":"tool","content":"x"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`,
		`{"model":"m","messages":[{"role":"user","content":null},{"role":"assistant","content":"x"}]}`,
		`{"model":"m","messages":[{"role":"user","content":7}]}`,
		`{"model":"m","n":2,` + user + `}`, `{"model":"m","n":1,` + user + `}`, `{"model":"m","n":1.0,` + user + `}`,
		`{"model":"m","tools":[{}],` + user + `}`, `{"model":"m","tools":null,"functions":[],` + user + `}`,
		`{"model":"m","temperature":3,` + user + `}`, `{"model":"m","temperature":0.25,` + user + `}`, `{"model":"m","temperature":1e400,` + user + `}`,
		`{"model":"m","max_tokens":0,` + user + `}`, `{"model":"m","max_completion_tokens":100,"max_tokens":5,` + user + `}`,
		`{"model":"m","max_tokens":99999999999999999999,` + user + `}`, `{"model":"m","max_tokens":-0,` + user + `}`,
		`{"model":"m","stop":["a","b","c","d","e"],` + user + `}`, `{"model":"m","stop":"\n\n",` + user + `}`, `{"model":"m","stop":5,` + user + `}`,
		`{"model":"m","stream":true,"stream_options":{"include_usage":true},` + user + `}`,
		`{"Model":"m",` + user + `}`, `{"model":"a","model":"b",` + user + `}`, `{"mod\u0065l":"m",` + user + `}`,
		`{"model":"m","user":"u-1","metadata":{"a":[1,2]},` + user + `}`,
		`{"model":"m","messages":[{"role":"user","content":"caf\u00e9 \"q\" \ud83d\ude00","name":"x"}]}`,
		`{"model":"m","messages":[{"role":"user","content":"bad \ud800 surrogate"}]}`,
		"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"raw \xff byte\"}]}",
		`{"model":null,` + user + `}`, `{"model":"m","messages":null}`, `{"model":"m","messages":[]}`, `{"model":"m","stream":null,` + user + `}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var slow, fast chatRequest
		want := decodeOutcome(&slow, decodeJSON(strings.NewReader(body), &slow, bodyLimit{bytes: 1 << 20}))
		got := decodeOutcome(&fast, decodeChatRequest(strings.NewReader(body), &fast, bodyLimit{bytes: 1 << 20}))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("body %q:\nfast path %+v\nencoding/json %+v", body, got, want)
		}
	})
}

// TestChatDecodeFastPath checks that a plain request takes the fast path
// (FuzzChatDecode checks only that both paths agree).
func TestChatDecodeFastPath(t *testing.T) {
	cd := new(chatDecoder)
	cd.buf.WriteString(benchChatBody)
	cd.dec.Reset(&cd.buf)
	var in chatRequest
	if !fastChatRequest(&cd.dec, &in) || in.Model != "openai:bench-model" || len(in.Messages) != 2 || !in.Messages[1].isText {
		t.Fatalf("plain request not decoded by the fast path: %+v", in)
	}
}
