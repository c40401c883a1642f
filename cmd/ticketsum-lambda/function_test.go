package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// MustS3 starts an in-process fake S3 and returns a client with bucket.
func MustS3(tb testing.TB, bucket string) *s3.Client {
	tb.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	tb.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatal(err)
	}
	return client
}

const testModel = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// MustSchema returns the test database URL and a fresh schema name, dropped
// when tb ends. It skips when TICKETSUM_TEST_DATABASE_URL is unset.
func MustSchema(tb testing.TB) (string, string) {
	tb.Helper()
	url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if url == "" {
		tb.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	schema := "ts_lambda_" + strings.ToLower(rand.Text())
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			tb.Errorf("drop test schema: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return url, schema
}

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The personal data and ticket text of the PII ticket: none of it may reach
// the log.
var (
	piiName    = "Marguerite Okonkwo-Lindqvist"
	piiEmail   = "m.okonkwo.lindqvist@example.org"
	piiPhone   = "+1 415 555 0173"
	piiSubject = "Quarterly reconciliation export froze"
	piiBody    = "Hi, this is " + piiName + ". The quarterly reconciliation export froze at 73 percent twice. " +
		"Call me on " + piiPhone + " or write to " + piiEmail + "."
	agentBody = "Thanks Marguerite. I cleared the stuck export job and re-ran the reconciliation, which finished. " +
		"Please check the file and let us know."
)

func piiTicket(id string) *ticketsum.Ticket {
	return &ticketsum.Ticket{ID: id, Subject: piiSubject, ProductLine: "billing",
		Customer: ticketsum.Customer{Name: piiName, Email: piiEmail},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: piiName, Body: piiBody},
			{Role: ticketsum.RoleAgent, Author: "Agent Smith", Body: agentBody},
		}}
}

// TestHandlerEndToEnd invokes the function's handler in-process, as the
// Lambda runtime would, against Postgres and the fake Bedrock: a batch with
// a throttled model call, a bad message and a missing ticket gets a partial
// batch response naming exactly the messages to retry, the other tickets'
// summaries are written, a redelivery succeeds without duplicating, and the
// log holds no ticket text or personal data.
func TestHandlerEndToEnd(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer reported that a data export stopped before finishing. The agent cleared the stuck job and ran it again, and it completed.\nSTATUS: resolved"
		},
		// Every attempt for the first ticket is throttled (the gateway makes
		// TICKETSUM_MAX_ATTEMPTS of them), later calls succeed.
		Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Limit: 2}},
	})
	s, err := loadSettings(envMap(map[string]string{
		"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema, "TICKETSUM_MODEL": testModel,
		"TICKETSUM_MAX_ATTEMPTS": "2", "TICKETSUM_MAX_ELAPSED": "10s", "TICKETSUM_LOG_LEVEL": "debug",
		"TICKETSUM_BATCH_CONCURRENCY": "1", // the throttling fault hits the first ticket
	}))
	if err != nil {
		t.Fatal(err)
	}
	MustApprove(t, url, schema, testModel)
	s.AuditBucket, s.AuditKMSKey = "ticketsum-log", "unused-with-a-local-key"
	s3c := MustS3(t, s.AuditBucket)
	keys, err := audit.NewLocalKeyWrapper(filepath.Join(t.TempDir(), "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	var logs, metrics syncBuffer
	ctx := t.Context()
	f, err := newFunction(ctx, s, deps{Log: &logs, Metrics: &metrics, LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil },
		AuditS3: s3c, AuditKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, id := range []string{"T-1", "T-2", "T-3"} {
		if _, err := f.store.UpsertTicket(ctx, piiTicket(id)); err != nil {
			t.Fatal(err)
		}
	}

	batch := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "T-1"}, // throttled on every attempt
		{MessageId: "m2", Body: `{"ticket_id":"T-2"}`},
		{MessageId: "m3", Body: ""}, // names no ticket
		{MessageId: "m4", Body: `{"version":"0","id":"e-1","source":"support.tickets","detail-type":"Ticket Updated","detail":{"ticket_id":"T-3"}}`},
		{MessageId: "m5", Body: "T-404"}, // no such ticket (yet): retried, then dead-lettered
	}}
	resp, err := f.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failedIDs(resp), []string{"m1", "m3", "m5"}; !slices.Equal(got, want) {
		t.Fatalf("batch item failures = %v, want %v", got, want)
	}
	if st := srv.Stats(); st.Throttled != 2 {
		t.Errorf("throttled calls = %d, want 2 (TICKETSUM_MAX_ATTEMPTS)", st.Throttled)
	}
	// The batch's spend is in the database when Handle returns, not held
	// by the ledger of a container that may be frozen: nothing reserved is
	// left open, and the two paid summaries are charged.
	var spent, reserved, open int64
	if err := f.store.Pool().QueryRow(ctx, `SELECT COALESCE(SUM(spent_micros), 0), COALESCE(SUM(reserved_micros), 0),
		(SELECT COUNT(*) FROM access_reservations) FROM access_budgets WHERE principal = $1`, principal).Scan(&spent, &reserved, &open); err != nil {
		t.Fatal(err)
	}
	if spent <= 0 || reserved != 0 || open != 0 {
		t.Errorf("after the batch: spent %d, reserved %d micro-dollars, %d open reservations; want the calls charged and nothing held", spent, reserved, open)
	}
	for _, id := range []string{"T-2", "T-3"} {
		mustCurrent(t, f, id)
	}
	if _, err := f.store.CurrentSummary(ctx, "T-1"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Fatalf("T-1 has a summary after a throttled call: %v", err)
	}

	if m := metrics.String(); !strings.Contains(m, `"Summarized":2`) || !strings.Contains(m, `"Failed":2`) || !strings.Contains(m, `"Unreadable":1`) {
		t.Errorf("the batch's embedded metrics = %s, want 2 summarised, 2 failed, 1 unreadable", m)
	}

	// SQS redelivers the failed message and, by accident, a done one.
	calls := srv.Stats().Succeeded
	resp, err = f.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "T-1"}, {MessageId: "m2", Body: `{"ticket_id":"T-2"}`},
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery: %v, failures %v", err, failedIDs(resp))
	}
	mustCurrent(t, f, "T-1")
	if got := srv.Stats().Succeeded - calls; got != 1 {
		t.Errorf("redelivery made %d model calls, want 1 (T-2 is up to date)", got)
	}
	for _, id := range []string{"T-1", "T-2"} {
		if h, err := f.store.SummaryHistory(ctx, id); err != nil || len(h) != 1 {
			t.Errorf("%s: %d summaries (%v), want 1", id, len(h), err)
		}
	}

	// Every attempt, throttled ones included, has an encrypted invocation
	// record with the ticket's personal data redacted.
	reader, err := audit.NewReader(audit.S3Source{Client: s3c, Bucket: s.AuditBucket, Prefix: s.AuditPrefix}, keys)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	if err := reader.Read(ctx, audit.Filter{}, func(r *audit.InvocationRecord) error {
		outcomes[r.RequestMetadata.TicketID+":"+r.Outcome]++
		body, _ := json.Marshal(r)
		for _, pii := range []string{piiEmail, piiPhone, "Okonkwo"} {
			if strings.Contains(string(body), pii) {
				t.Errorf("invocation record of %s holds %q", r.RequestMetadata.TicketID, pii)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if outcomes["T-1:success"] != 1 || outcomes["T-2:success"] != 1 || outcomes["T-3:success"] != 1 || len(outcomes) < 4 {
		t.Errorf("invocation records by ticket and outcome = %v, want one success per ticket and T-1's throttles", outcomes)
	}

	// The hash-chained audit trail holds every call, attributed to the
	// function's principal, and verifies.
	evs, err := f.gov.Trail.Events(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	byOutcome := map[string]int{}
	for _, e := range evs {
		if e.Kind == audit.KindInvocation {
			if e.Actor != principal {
				t.Errorf("trail event %d by %q, want %s", e.Seq, e.Actor, principal)
			}
			byOutcome[e.Outcome]++
		}
	}
	if byOutcome["success"] != 3 || len(byOutcome) < 2 {
		t.Errorf("trail invocations by outcome = %v, want 3 successes and the throttled call", byOutcome)
	}
	// The function holds no signing key: until a signer signs, the trail
	// is unproven, never OK; once one has (the hand-off), it verifies.
	if rep, err := f.gov.Trail.Verify(ctx); err != nil || rep.Status != audit.StatusUnproven || len(rep.Problems) > 0 {
		t.Errorf("trail verify before signing: %+v, %v", rep, err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	signer, err := audit.NewTrail(audit.TrailConfig{DB: stdlib.OpenDBFromPool(f.store.Pool()), Dialect: audit.Postgres, SigningKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer.WriteDigest(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := signer.Verify(ctx); err != nil || !rep.OK() {
		t.Errorf("trail verify after signing: %+v, %v", rep, err)
	}

	out := logs.String()
	if !strings.Contains(out, `"msg":"summary saved"`) || !strings.Contains(out, `"ticket_id":"T-1"`) {
		t.Fatalf("the log does not show the run, so scanning it proves nothing:\n%s", out)
	}
	AssertNoTicketData(t, out, piiTicket("T-1"))
}

func failedIDs(r events.SQSEventResponse) []string {
	var ids []string
	for _, f := range r.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	slices.Sort(ids)
	return ids
}

func mustCurrent(t *testing.T, f *function, id string) {
	t.Helper()
	sum, err := f.store.CurrentSummary(t.Context(), id)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	tk, err := f.store.FindTicket(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Model != testModel || sum.ContentHash != tk.ContentHash() || sum.Status != ticketsum.StatusResolved ||
		!strings.HasPrefix(sum.Text, "The customer reported") || sum.Principal != "ticketsum-lambda" || sum.CostUSD <= 0 {
		t.Fatalf("%s: summary = %+v", id, sum)
	}
}

// failingS3 refuses every upload.
type failingS3 struct{ audit.S3API }

func (failingS3) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "S3 is down")
}

// When the batch's invocation records cannot be uploaded, every message is
// reported failed, so no summary stands without its record.
func TestInvocationLogFailureFailsBatch(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(model, prompt string) string {
		return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
	}})
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema,
		"TICKETSUM_MODEL": testModel, "TICKETSUM_AUDIT_BUCKET": "b", "TICKETSUM_AUDIT_KMS_KEY": "k"}))
	if err != nil {
		t.Fatal(err)
	}
	MustApprove(t, url, schema, testModel)
	keys, _ := audit.NewLocalKeyWrapper(filepath.Join(t.TempDir(), "log.key"))
	var logs syncBuffer
	f, err := newFunction(t.Context(), s, deps{Log: &logs, LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil },
		AuditS3: failingS3{}, AuditKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.store.UpsertTicket(t.Context(), piiTicket("T-1")); err != nil {
		t.Fatal(err)
	}
	resp, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "T-1"}, {MessageId: "m2", Body: "T-404"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Fatalf("failures = %v, want the whole batch", got)
	}
	if !strings.Contains(logs.String(), "invocation log upload failed") {
		t.Errorf("the failed upload is not logged:\n%s", logs.String())
	}
}

// TestFailedStateVisible: a ticket the model may not be called for (Bedrock
// AccessDenied, a configuration problem) goes back to SQS and is recorded
// failed with the fix named, where the ticket list shows it; once access
// works, the redelivery summarises it and clears the failed state.
func TestFailedStateVisible(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
		},
		Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultAccessDenied, Limit: 1}},
	})
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema, "TICKETSUM_MODEL": testModel}))
	if err != nil {
		t.Fatal(err)
	}
	MustApprove(t, url, schema, testModel)
	var logs syncBuffer
	f, err := newFunction(t.Context(), s, deps{Log: &logs, LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.store.UpsertTicket(t.Context(), piiTicket("T-1")); err != nil {
		t.Fatal(err)
	}
	msg := events.SQSMessage{MessageId: "m1", Body: "T-1", Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
	resp, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{msg}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1"}) {
		t.Fatalf("failures = %v, want the denied ticket back in the queue", got)
	}
	fail, err := f.store.FindFailure(t.Context(), "T-1")
	if err != nil {
		t.Fatalf("no failed state recorded: %v", err)
	}
	if fail.Class != ticketsum.ClassConfig || fail.Code != ticketsum.EFORBIDDEN || !strings.Contains(fail.Reason, "Model access") || fail.Attempts != 1 {
		t.Errorf("failure = %+v, want a configuration failure naming model access", fail)
	}
	list, total, err := f.store.ListFailures(t.Context(), ticketsum.FailureFilter{Class: ticketsum.ClassConfig})
	if err != nil || total != 1 || list[0].TicketID != "T-1" {
		t.Errorf("failures list = %v (%d), %v", list, total, err)
	}

	msg.Attributes["ApproximateReceiveCount"] = "2"
	resp, err = f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{msg}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery: %v, failures %v", err, failedIDs(resp))
	}
	mustCurrent(t, f, "T-1")
	if _, err := f.store.FindFailure(t.Context(), "T-1"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("the failed state outlived the summary: %v", err)
	}
	AssertNoTicketData(t, logs.String(), piiTicket("T-1"))
}
