package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/postgres"
)

// TestMain runs main() when the test binary is started as the function
// (TestProcess does), so the real entry point runs in its own process.
func TestMain(m *testing.M) {
	if os.Getenv("TICKETSUM_LAMBDA_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// fakeRuntime is the Lambda Runtime API (and the Extensions API that
// WithEnableSIGTERM registers with): it hands out one invocation and
// records the function's answer.
type fakeRuntime struct {
	event    []byte
	mu       sync.Mutex
	served   bool
	response chan []byte
	failure  chan string
	done     chan struct{}
}

func (f *fakeRuntime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/2020-01-01/extension/register":
		w.Header().Set("Lambda-Extension-Identifier", "ext-1")
		w.Write([]byte(`{}`))
	case r.URL.Path == "/2020-01-01/extension/event/next":
		<-f.done // never returns an event, as in Lambda
	case r.URL.Path == "/2018-06-01/runtime/invocation/next":
		f.mu.Lock()
		first := !f.served
		f.served = true
		f.mu.Unlock()
		if !first {
			<-f.done // no second invocation: the container idles until SIGTERM
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:ticketsum-summarizer")
		w.Write(f.event)
	case r.URL.Path == "/2018-06-01/runtime/invocation/req-1/response":
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		f.response <- body
	default: // invocation or init errors
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		f.failure <- r.URL.Path + ": " + string(body)
	}
}

// TestProcess runs the real main() in a child process, as Lambda would:
// settings from the environment, AWS from the standard chain pointed at the
// fake Bedrock, one invocation through the Runtime API answered with the
// partial batch response, then SIGTERM closes the store and exits 0.
func TestProcess(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	// Open the schema first to load a ticket; the function migrates it too.
	st, err := postgres.Open(t.Context(), postgres.Config{URL: url, Schema: schema, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertTicket(t.Context(), piiTicket("T-1")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	MustApprove(t, url, schema, testModel)

	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(model, prompt string) string {
		return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
	}})
	event, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "T-1"}, {MessageId: "m2", Body: "{not json"},
	}})
	rt := &fakeRuntime{event: event, response: make(chan []byte, 1), failure: make(chan string, 4), done: make(chan struct{})}
	api := httptest.NewServer(rt)
	defer api.Close()
	defer close(rt.done)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(),
		"TICKETSUM_LAMBDA_TEST_MAIN=1",
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"),
		"TICKETSUM_DB="+url, "TICKETSUM_DB_SCHEMA="+schema, "TICKETSUM_MODEL="+testModel,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID="+bedrocktest.TestAccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+bedrocktest.TestSecretAccessKey, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME="+srv.URL,
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
	)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill := func() { _ = cmd.Process.Kill(); <-exited }

	var resp events.SQSEventResponse
	select {
	case body := <-rt.response:
		if err := json.Unmarshal(body, &resp); err != nil {
			kill()
			t.Fatalf("response %s: %v", body, err)
		}
	case f := <-rt.failure:
		kill()
		t.Fatalf("the function reported an error: %s\n%s", f, stderr.String())
	case err := <-exited:
		t.Fatalf("the function exited before answering: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
		kill()
		t.Fatalf("no answer from the function\n%s", stderr.String())
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m2" {
		t.Errorf("batch item failures = %+v, want m2 only", resp.BatchItemFailures)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		kill()
		t.Fatalf("the function did not exit on SIGTERM\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"function shut down"`) {
		t.Errorf("no shutdown line in the log:\n%s", stderr.String())
	}

	st, err = postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if sum, err := st.CurrentSummary(context.Background(), "T-1"); err != nil || sum.Model != testModel {
		t.Fatalf("T-1 summary = %+v, %v", sum, err)
	}
	AssertNoTicketData(t, stderr.String(), piiTicket("T-1"))
}
