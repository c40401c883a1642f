package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/audit/internal/kmsfake"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// outage wraps a fake server; while down, every connection is dropped
// without an answer, as an unreachable endpoint does.
type outage struct {
	h    http.Handler
	down atomic.Bool
}

func (o *outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() {
		panic(http.ErrAbortHandler)
	}
	o.h.ServeHTTP(w, r)
}

// MustDownableKMS is MustKMS behind an outage switch, its client trying
// each call once.
func MustDownableKMS(tb testing.TB) (*outage, *kms.Client) {
	tb.Helper()
	o := &outage{h: kmsfake.New()}
	srv := httptest.NewServer(o)
	tb.Cleanup(srv.Close)
	return o, kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
}

// MustDownableS3 is MustS3 behind an outage switch, its client trying each
// call once.
func MustDownableS3(tb testing.TB, bucket string) (*outage, *s3.Client) {
	tb.Helper()
	o := &outage{h: gofakes3.New(s3mem.New()).Server()}
	srv := httptest.NewServer(o)
	tb.Cleanup(srv.Close)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatal(err)
	}
	return o, client
}

// MustSpool returns a spool in a temp dir with its key in another.
func MustSpool(tb testing.TB, logger *slog.Logger, alertAt int) (*audit.Spool, string) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "spool")
	sp, err := audit.NewSpool(audit.SpoolConfig{Dir: dir, Wrapper: MustLocalWrapper(tb), Logger: logger, AlertAt: alertAt})
	if err != nil {
		tb.Fatal(err)
	}
	return sp, dir
}

// countingModel answers every call and counts them: each is a paid call.
type countingModel struct {
	fakeModel
	calls atomic.Int32
}

func (m *countingModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	m.calls.Add(1)
	return m.fakeModel.Generate(ctx, req)
}

// wired builds the production order: the trail wrapper outside, the
// invocation log wrapper around the model, both spooling to sp.
func wired(t *testing.T, tr *audit.Trail, log audit.Sink, sp *audit.Spool, m ticketsum.Model, between ...func(ticketsum.Model) ticketsum.Model) ticketsum.Model {
	t.Helper()
	outer, err := audit.Middleware(audit.MiddlewareConfig{Trail: tr, Spool: sp})
	if err != nil {
		t.Fatal(err)
	}
	inner := audit.Meter()
	if log != nil {
		if inner, err = audit.Middleware(audit.MiddlewareConfig{Log: log, Spool: sp}); err != nil {
			t.Fatal(err)
		}
	}
	m = inner(m)
	for _, b := range between {
		m = b(m)
	}
	return outer(m)
}

func TestPaidCallsSpooledWhileKMSIsDownAndWrittenOnceLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kmsOutage, kmsClient := MustDownableKMS(t)
	wrapper, _ := audit.NewKMSKeyWrapper(kmsClient, kmsfake.Alias, nil)
	s3c := MustS3(t, "logs")
	sink, _ := audit.NewS3Sink(audit.S3SinkConfig{Client: s3c, Bucket: "logs", Wrapper: wrapper})
	tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 1000)
	sp, dir := MustSpool(t, nil, 0)
	model := &countingModel{fakeModel: fakeModel{name: "m1", text: "done"}}
	m := wired(t, tr, sink, sp, model)

	kmsOutage.down.Store(true)
	for i := range 3 {
		resp, err := m.Generate(ctx, piiRequest(i))
		if err != nil || resp == nil || resp.Text != "done" {
			t.Fatalf("call %d with KMS down: %v, %v; want the answer", i, resp, err)
		}
	}
	if n := model.calls.Load(); n != 3 {
		t.Fatalf("model called %d times for 3 calls: a log failure made the call repeat", n)
	}
	if st := sp.Stats(); st.Pending != 3 || st.Spooled != 3 {
		t.Fatalf("spool = %+v, want the 3 log records", st)
	}
	assertPrivateAndRedacted(t, dir)

	kmsOutage.down.Store(false)
	if err := sp.Replay(ctx, audit.Destinations{Log: sink, Trail: tr}); err != nil {
		t.Fatal(err)
	}
	if st := sp.Stats(); st.Pending != 0 || st.Replayed != 3 {
		t.Errorf("spool after replay = %+v", st)
	}
	r, _ := audit.NewReader(audit.S3Source{Client: s3c, Bucket: "logs"}, wrapper)
	seen := map[string]int{}
	r.Read(ctx, audit.Filter{}, func(rec *audit.InvocationRecord) error { seen[rec.RequestID]++; return nil })
	if len(seen) != 3 || seen["req-a"] != 1 || seen["req-b"] != 1 || seen["req-c"] != 1 {
		t.Errorf("records in S3 by request = %v, want each of the 3 once", seen)
	}
	evs, _ := tr.Events(ctx, 0, 0)
	if len(evs) != 3 {
		t.Errorf("trail holds %d events, want 3", len(evs))
	}
}

// assertPrivateAndRedacted checks the spool directory is 0700, its files
// 0600, and no personal data of the requests appears in them.
func assertPrivateAndRedacted(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("spool directory mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) == 0 {
		t.Fatal("spool is empty, so scanning it proves nothing")
	}
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		info, _ := f.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f.Name(), info.Mode().Perm())
		}
		for _, v := range piiValues {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q in clear", f.Name(), v)
			}
		}
	}
}

func TestTrailRecordSpooledWhileDatabaseIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	tr := MustTrail(t, db, audit.SQLite, ticketsum.SystemClock{}, 1000) // the middleware's clock
	sink := &memSink{}
	sp, _ := MustSpool(t, nil, 0)
	m := wired(t, tr, sink, sp, &fakeModel{name: "m1", text: "done"})
	mustExec(t, db, `ALTER TABLE audit_records RENAME TO audit_records_away`)
	if _, err := m.Generate(ctx, piiRequest(0)); err != nil {
		t.Fatalf("call with the trail down: %v, want the answer", err)
	}
	if st := sp.Stats(); st.Pending != 1 {
		t.Fatalf("spool = %+v, want the trail record", st)
	}
	if err := sp.Replay(ctx, audit.Destinations{Log: sink, Trail: tr}); err == nil {
		t.Fatal("replay succeeded while the trail is still down")
	}
	mustExec(t, db, `ALTER TABLE audit_records_away RENAME TO audit_records`)
	if err := sp.Replay(ctx, audit.Destinations{Log: sink, Trail: tr}); err != nil {
		t.Fatal(err)
	}
	evs, _ := tr.Events(ctx, 0, 0)
	if len(evs) != 1 || evs[0].Details["spooled"] != "true" || evs[0].RequestID != "req-a" || len(sink.recs) != 1 {
		t.Errorf("trail %+v, log %d records; want the call once in each", evs, len(sink.recs))
	}
	tr.Close(ctx)
	if rep, _ := tr.Verify(ctx); !rep.OK() {
		t.Errorf("verify after replay: %+v", rep)
	}
}

// brokenWrapper cannot make data keys: a spool on it cannot store.
type brokenWrapper struct{}

func (brokenWrapper) Name() string { return "local" }
func (brokenWrapper) GenerateDataKey(context.Context) ([]byte, []byte, string, error) {
	return nil, nil, "", errors.New("disk full")
}
func (brokenWrapper) UnwrapDataKey(context.Context, []byte, string) ([]byte, error) {
	return nil, errors.New("disk full")
}

func TestMiddlewareErrorsAfterAPaidCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	badSpool, err := audit.NewSpool(audit.SpoolConfig{Dir: filepath.Join(t.TempDir(), "spool"), Wrapper: brokenWrapper{}})
	if err != nil {
		t.Fatal(err)
	}
	okSpool, _ := MustSpool(t, nil, 0)
	tests := []struct {
		name      string
		spool     *audit.Spool
		modelErr  error
		wantCode  ticketsum.ErrorCode
		wantClass ticketsum.FailureClass
		wantResp  bool
	}{
		{"spooled: the answer, no error", okSpool, nil, "", "", true},
		{"paid and not recorded anywhere", badSpool, nil, ticketsum.EINTERNAL, ticketsum.ClassConfig, false},
		{"paid, no spool", nil, nil, ticketsum.EINTERNAL, ticketsum.ClassConfig, false},
		{"failed call not recorded", nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "bedrock down"), ticketsum.EUNAVAILABLE, ticketsum.ClassRetryable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			model := &countingModel{fakeModel: fakeModel{name: "m1", text: "done", err: tt.modelErr}}
			wrap, _ := audit.Middleware(audit.MiddlewareConfig{Log: &memSink{fail: true}, Spool: tt.spool})
			resp, err := wrap(model).Generate(ctx, piiRequest(0))
			if got := ticketsum.ErrorCodeOf(err); got != tt.wantCode || (resp != nil) != tt.wantResp {
				t.Fatalf("resp %v, err %v (code %q); want code %q, answer %v", resp, err, got, tt.wantCode, tt.wantResp)
			}
			if err != nil {
				if ticketsum.ClassOf(err) != tt.wantClass || !errors.Is(err, audit.ErrNotRecorded) {
					t.Errorf("err %v: class %s, want %s wrapping ErrNotRecorded", err, ticketsum.ClassOf(err), tt.wantClass)
				}
				if tt.modelErr == nil && (ticketsum.Retryable(err) || !strings.Contains(err.Error(), "do not retry")) {
					t.Errorf("after a paid answer the error %q must not invite a retry", err)
				}
			}
			if model.calls.Load() != 1 {
				t.Errorf("model called %d times", model.calls.Load())
			}
		})
	}
}

// blocker stands for a step after the model that refuses its answer (an
// output guard).
func blocker(next ticketsum.Model) ticketsum.Model { return blocked{next} }

type blocked struct{ next ticketsum.Model }

func (b blocked) Name() string { return b.next.Name() }
func (b blocked) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if _, err := b.next.Generate(ctx, req); err != nil {
		return nil, err
	}
	return nil, ticketsum.Errorf(ticketsum.EBLOCKED, "output guard: denied topic")
}

func TestPaidAnswerRefusedLaterIsRecordedWithItsCost(t *testing.T) {
	t.Parallel()
	for _, withLog := range []bool{true, false} {
		t.Run(fmt.Sprint("log=", withLog), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 1000)
			sink := &memSink{}
			var log audit.Sink
			if withLog {
				log = sink
			}
			m := wired(t, tr, log, nil, &fakeModel{name: "m1", text: "done"}, blocker)
			if _, err := m.Generate(ctx, piiRequest(0)); ticketsum.ErrorCodeOf(err) != ticketsum.EBLOCKED {
				t.Fatalf("err = %v, want the block", err)
			}
			evs, _ := tr.Events(ctx, 0, 0)
			if len(evs) != 1 {
				t.Fatalf("trail holds %d events, want 1", len(evs))
			}
			e := evs[0]
			if e.Outcome != "error" || e.ErrorCode != "blocked" || e.InputTokens != 1200 || e.OutputTokens != 60 || e.CostMicros != 1200 || e.Details["paid_attempts"] != "1" {
				t.Errorf("trail event = %+v, want the blocked call with the paid attempt's tokens and cost", e)
			}
			if withLog && (len(sink.recs) != 1 || sink.recs[0].Outcome != "success") {
				t.Errorf("log = %+v, want the answered attempt once", sink.recs)
			}
		})
	}
}

// lateModel answers only after the caller gave up, as a response that
// arrives while the caller's context ends.
type lateModel struct{ fakeModel }

func (m *lateModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	<-ctx.Done()
	return m.fakeModel.Generate(context.WithoutCancel(ctx), req)
}

func TestAnswerArrivingAfterTheCallerGaveUpIsRecordedOnce(t *testing.T) {
	t.Parallel()
	tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 1000)
	sink := &memSink{}
	m := wired(t, tr, sink, nil, &lateModel{fakeModel{name: "m1", text: "done"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if resp, err := m.Generate(ctx, piiRequest(0)); err != nil || resp == nil {
		t.Fatalf("resp %v, err %v; want the late answer", resp, err)
	}
	evs, _ := tr.Events(context.Background(), 0, 0)
	if len(evs) != 1 || evs[0].Outcome != "success" || len(sink.recs) != 1 {
		t.Errorf("trail %d events, log %d records; want the call once in each", len(evs), len(sink.recs))
	}
}

func TestS3SinkSpoolsABatchItCannotUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, spooled := range []bool{true, false} {
		t.Run(fmt.Sprint("spool=", spooled), func(t *testing.T) {
			t.Parallel()
			s3Outage, s3c := MustDownableS3(t, "logs")
			w := MustLocalWrapper(t)
			var sp *audit.Spool
			if spooled {
				sp, _ = MustSpool(t, nil, 0)
			}
			sink, _ := audit.NewS3Sink(audit.S3SinkConfig{Client: s3c, Bucket: "logs", Wrapper: w, BatchRecords: 2, Spool: sp})
			s3Outage.down.Store(true)
			for i := range 3 {
				if err := sink.Write(ctx, piiRecord(i)); err != nil {
					t.Fatalf("write %d with S3 down: %v (the record is kept: not an error)", i, err)
				}
			}
			err := sink.Flush(ctx)
			if spooled && (err != nil || sp.Stats().Pending != 3) {
				t.Fatalf("flush: %v, spool %+v; want the 3 records spooled", err, sp.Stats())
			}
			if !spooled && err == nil {
				t.Fatal("flush with S3 down and no spool reported success")
			}
			s3Outage.down.Store(false)
			if spooled {
				if err := sp.Replay(ctx, audit.Destinations{Log: sink}); err != nil {
					t.Fatal(err)
				}
			} else if err := sink.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			r, _ := audit.NewReader(audit.S3Source{Client: s3c, Bucket: "logs"}, w)
			seen := map[string]int{}
			r.Read(ctx, audit.Filter{}, func(rec *audit.InvocationRecord) error { seen[rec.RequestID]++; return nil })
			if len(seen) != 3 || seen["req-a"] != 1 || seen["req-b"] != 1 || seen["req-c"] != 1 {
				t.Errorf("records in S3 = %v, want each of the 3 once", seen)
			}
		})
	}
}

// piiRecord is the invocation record of piiRequest(i).
func piiRecord(i int) *audit.InvocationRecord {
	req := piiRequest(i)
	return &audit.InvocationRecord{RequestID: req.Meta.RequestID, ModelID: "m1", Outcome: "success",
		Input: audit.InvocationInput{InputBodyJSON: &audit.InputBody{Messages: req.Messages}}}
}

// lockedSink is a memSink safe for concurrent writers.
type lockedSink struct {
	mu  sync.Mutex
	ids map[string]int
}

func (s *lockedSink) Write(_ context.Context, r *audit.InvocationRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[r.RequestID]++
	return nil
}
func (s *lockedSink) Flush(context.Context) error { return nil }
func (s *lockedSink) Close(context.Context) error { return nil }

func TestTwoProcessesReplayingOneSpoolWriteEachRecordOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "spool")
	w := MustLocalWrapper(t)
	var logs bytes.Buffer
	a, _ := audit.NewSpool(audit.SpoolConfig{Dir: dir, Wrapper: w, AlertAt: 20, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	b, _ := audit.NewSpool(audit.SpoolConfig{Dir: dir, Wrapper: w})
	for i := range 26 {
		if err := a.Put(ctx, audit.DestLog, piiRecord(i), errors.New("s3 down")); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"spool is growing`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("spool log lacks the warning and the alert past AlertAt:\n%s", logs.String())
	}
	sink := &lockedSink{ids: map[string]int{}}
	var wg sync.WaitGroup
	for _, sp := range []*audit.Spool{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp.Replay(ctx, audit.Destinations{Log: sink})
		}()
	}
	wg.Wait()
	a.Replay(ctx, audit.Destinations{Log: sink}) // whatever the other's claims held back
	if len(sink.ids) != 26 {
		t.Errorf("%d distinct records written, want 26", len(sink.ids))
	}
	for id, n := range sink.ids {
		if n != 1 {
			t.Errorf("record %s written %d times", id, n)
		}
	}
	if st := a.Stats(); st.Pending != 0 {
		t.Errorf("spool still holds %d records", st.Pending)
	}
}
