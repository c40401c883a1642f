package openai

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzRequestEncoding checks that appendRequest writes what json.Marshal
// writes of a request, or declines a request it does not write.
func FuzzRequestEncoding(f *testing.F) {
	f.Add("gpt-4o-mini", "Be brief.", "hello <there> & \"you\"", 512, 0.7, true, "END", "\xff\u2028")
	f.Add("", "", "", 0, 0.0, false, "", "")
	f.Add("m", "s", "u", -3, 1e-7, true, "a", "b")
	f.Add("m", "s", "u", 1, 2e21, true, "", "b")
	f.Add("m", "s", "u", 1, -0.0, true, "", "")
	f.Fuzz(func(t *testing.T, model, system, user string, maxTokens int, temp float64, hasTemp bool, stop1, stop2 string) {
		r := wireRequest{Model: model, MaxTokens: maxTokens,
			Messages: []wireMessage{{Role: "system", Content: system}, {Role: "user", Content: user}}}
		if hasTemp {
			r.Temperature = &temp
		}
		if stop1 != "" {
			r.Stop = []string{stop1}
			if stop2 != "" {
				r.Stop = append(r.Stop, stop2)
			}
		}
		check(t, &r)
		r.Messages, r.Stop = nil, []string{}
		check(t, &r)
	})
}

// check compares appendRequest with json.Marshal for r.
func check(t *testing.T, r *wireRequest) {
	t.Helper()
	got, ok := appendRequest([]byte("x"), r)
	want, err := json.Marshal(r)
	if !ok {
		if string(got) != "x" {
			t.Fatalf("declined request appended %q", got)
		}
		if err == nil && r.Temperature != nil && plainFloat(*r.Temperature) {
			t.Fatalf("declined a request json.Marshal writes plainly: %s", want)
		}
		return
	}
	if err != nil {
		t.Fatalf("appended a request json.Marshal refuses (%v): %s", err, got)
	}
	if string(got[1:]) != string(want) {
		t.Fatalf("appendRequest:\n%s\njson.Marshal:\n%s", got[1:], want)
	}
}

// A request with structured output, or with a temperature json.Marshal
// writes in exponent form or refuses, is left to json.Marshal.
func TestRequestEncodingDeclines(t *testing.T) {
	for _, temp := range []float64{1e-7, 1e21, math.NaN(), math.Inf(1)} {
		r := wireRequest{Model: "m", Temperature: &temp}
		if _, ok := appendRequest(nil, &r); ok {
			t.Errorf("temperature %v: appended, want declined", temp)
		}
	}
	for _, r := range []wireRequest{
		{Model: "m", ResponseFormat: &responseFormat{Type: "json_schema"}},
		{Model: "m", Tools: []wireTool{{Type: "function"}}},
		{Model: "m", ToolChoice: &toolChoice{Type: "function"}},
	} {
		if _, ok := appendRequest(nil, &r); ok {
			t.Errorf("%+v: appended, want declined", r)
		}
	}
	half := 0.5
	if b, ok := appendRequest(nil, &wireRequest{Model: "m", Temperature: &half, MaxTokens: 9}); !ok ||
		string(b) != `{"model":"m","messages":null,"max_tokens":9,"temperature":0.5}` {
		t.Errorf("plain request: %s, %v", b, ok)
	}
}

// BenchmarkEncodeRequest: a chat call's request body by hand (what send
// does) and by json.Marshal (what it did).
func BenchmarkEncodeRequest(b *testing.B) {
	temp := 0.2
	r := wireRequest{Model: "gpt-4o-mini", MaxTokens: 256, Temperature: &temp, Messages: []wireMessage{
		{Role: "system", Content: "You summarise support tickets in two sentences."},
		{Role: "user", Content: "The invoice PDF download returns an error page since Monday; the customer needs it for their accounts by Friday."},
	}}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendRequest(make([]byte, 0, requestSize(&r)), &r)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(&r)
		}
	})
}
