package openai_test

import (
	"context"
	"encoding/json"
	"testing"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/openai"
	"github.com/ticketsum/ticketsum/openai/openaitest"
	"github.com/ticketsum/ticketsum/prompt"
)

func structuredRequest() *ticketsum.ModelRequest {
	req := request()
	req.Output = prompt.Default().Schema()
	return req
}

func TestStructuredOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		srv          openaitest.Config
		mode         string
		wantCalls    int  // requests the first Generate makes
		wantSent     bool // the last request asks for structure
		wantStruct   bool
		wantNoStatus bool
	}{
		{"json schema", openaitest.Config{}, "", 1, true, true, false},
		{"forced tool", openaitest.Config{}, openai.StructuredTools, 1, true, true, false},
		{"off", openaitest.Config{}, openai.StructuredOff, 1, false, false, false},
		{"schema refused: asked again in text", openaitest.Config{RefuseResponseFormat: true}, "", 2, false, false, false},
		{"tools refused: asked again in text", openaitest.Config{RefuseTools: true}, openai.StructuredTools, 2, false, false, false},
		{"model leaves the status out", openaitest.Config{NoStatus: true}, "", 1, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := openaitest.NewServer(tt.srv)
			defer srv.Close()
			m := MustModel(t, srv, func(c *openai.Config) { c.Structured = tt.mode })
			res, err := m.Generate(context.Background(), structuredRequest())
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if len(reqs) != tt.wantCalls {
				t.Fatalf("%d requests, want %d", len(reqs), tt.wantCalls)
			}
			last := reqs[len(reqs)-1]
			if sent := last.ResponseFormat != nil || len(last.Tools) > 0; sent != tt.wantSent {
				t.Errorf("last request asks for structure: %v, want %v", sent, tt.wantSent)
			}
			if res.Structured != tt.wantStruct {
				t.Fatalf("Structured = %v, want %v (text %q)", res.Structured, tt.wantStruct, res.Text)
			}
			a := prompt.ParseAnswer(res.Text)
			switch {
			case !tt.wantStruct && res.Text != openaitest.DefaultReply:
				t.Errorf("text answer %q, want the reply", res.Text)
			case tt.wantStruct && !json.Valid([]byte(res.Text)):
				t.Errorf("structured answer %q is not JSON", res.Text)
			case tt.wantStruct && a.Status.Valid() == tt.wantNoStatus:
				t.Errorf("parsed status %q, want it missing: %v", a.Status, tt.wantNoStatus)
			case tt.wantStruct && a.Text == "":
				t.Errorf("no summary in %q", res.Text)
			}
			if tt.wantCalls == 2 { // the refusal is remembered: the next call goes out in text at once
				if _, err := m.Generate(context.Background(), structuredRequest()); err != nil {
					t.Fatal(err)
				}
				if n := len(srv.Requests()); n != 3 {
					t.Errorf("%d requests after a second call, want 3", n)
				}
			}
		})
	}
}

func TestStructuredConfigIsValidated(t *testing.T) {
	t.Parallel()
	if _, err := openai.New(openai.Config{Model: "m", Structured: "xml"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
}
