package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
)

// fullDiskSink is an invocation log on a full disk: every write fails
// with the file's path in the error, as the file sink's does.
type fullDiskSink struct{ path string }

func (s fullDiskSink) Write(context.Context, *audit.InvocationRecord) error {
	return &os.PathError{Op: "write", Path: s.path, Err: errors.New("no space left on device")}
}
func (fullDiskSink) Flush(context.Context) error { return nil }
func (fullDiskSink) Close(context.Context) error { return nil }

// downWhenAsked fails a call whose last message says "model down", as a
// model server that refuses the connection.
type downWhenAsked struct{ next ticketsum.Model }

func (d downWhenAsked) Name() string { return d.next.Name() }
func (d downWhenAsked) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if strings.Contains(req.Messages[len(req.Messages)-1].Content, "model down") {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: connection refused", d.next.Name())
	}
	return d.next.Generate(ctx, req)
}

// TestUnrecordedCallsReachTheClientSafely: the chaos walk's full disk. The
// invocation log cannot be written and the spool cannot take the record
// either (its key file was left empty when the disk filled up). A paid
// answer is withheld: the client must learn that, and that a retry is
// paid again, not a bare "internal error"; a failed call is a 503 that
// says retrying is safe. Neither body may name a server path or key file.
func TestUnrecordedCallsReachTheClientSafely(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys", "spool.key")
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, nil, 0o600); err != nil { // what a full disk leaves
		t.Fatal(err)
	}
	wrapper, err := audit.NewLocalKeyWrapper(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	spool, err := audit.NewSpool(audit.SpoolConfig{Dir: filepath.Join(dir, "spool"), Wrapper: wrapper})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := audit.Middleware(audit.MiddlewareConfig{Log: fullDiskSink{filepath.Join(dir, "logs", "invocations.log")}, Spool: spool, Clock: fixedClock{testNow}})
	if err != nil {
		t.Fatal(err)
	}
	f := MustFixtureWith(t, nil, func(m ticketsum.Model) ticketsum.Model { return mw(downWhenAsked{m}) })
	srv := MustServer(t, f, nil)
	tests := []struct {
		name, content string
		status        int
		code          string
		want          []string
	}{
		{"paid answer withheld", "hi", 500, "internal", []string{"answered", "paid", "withheld", "do not retry", "paid again"}},
		{"failed call", "model down", 503, "unavailable", []string{"could not be recorded", "retrying is safe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["good"], `{"model":"`+modelAllowed+`","messages":[{"role":"user","content":"`+tt.content+`"}]}`)
			body, _ := io.ReadAll(resp.Body)
			var got struct {
				Error struct{ Message, Code string } `json:"error"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if resp.StatusCode != tt.status || got.Error.Code != tt.code {
				t.Errorf("%d %q, want %d %q: %s", resp.StatusCode, got.Error.Code, tt.status, tt.code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Error.Message, w) {
					t.Errorf("message %q does not say %q", got.Error.Message, w)
				}
			}
			for _, leak := range []string{dir, "spool.key", "key file", "no space left", "invocations.log"} {
				if strings.Contains(string(body), leak) {
					t.Errorf("body names %q: %s", leak, body)
				}
			}
		})
	}
}
