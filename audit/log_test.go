package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/audit/internal/kmsfake"
)

// writeCalls sends n PII-laden calls through the audit middleware to sink.
func writeCalls(t *testing.T, sink audit.Sink, clock ticketsum.Clock, n int) {
	t.Helper()
	wrap, err := audit.Middleware(audit.MiddlewareConfig{Log: sink, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	m := wrap(&fakeModel{name: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", text: "Margarethe Vandersloot could not log in; the agent reset the password. Resolved."})
	for i := range n {
		if _, err := m.Generate(context.Background(), piiRequest(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// readAll decrypts every record.
func readAll(t *testing.T, r *audit.Reader) []*audit.InvocationRecord {
	t.Helper()
	var out []*audit.InvocationRecord
	if err := r.Read(context.Background(), audit.Filter{}, func(rec *audit.InvocationRecord) error {
		out = append(out, rec)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// assertNoPII fails if any PII value appears in data.
func assertNoPII(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, v := range piiValues {
		if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(v))) {
			t.Errorf("%s contains %q in plain text", where, v)
		}
	}
}

func TestFileSinkRoundTripAndNoPlainPII(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := newClock()
	w := MustLocalWrapper(t)
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: w, MaxFileBytes: 4096, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	writeCalls(t, sink, clock, 25)

	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		assertNoPII(t, path, b)
		if fi, _ := d.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
		return nil
	})
	if files < 2 {
		t.Errorf("wrote %d files, want rotation by size into several", files)
	}
	r, err := audit.NewReader(audit.DirSource{Dir: dir}, w)
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, r)
	if len(recs) != 25 {
		t.Fatalf("read %d records, want 25", len(recs))
	}
	rec := recs[0]
	if rec.SchemaType != "ModelInvocationLog" || rec.Identity.Principal != "ticketsum-worker" || rec.RequestMetadata.TicketID != "T-100" ||
		rec.Input.InputTokenCount != 1200 || rec.Output.OutputTokenCount != 60 || rec.CostUSD != 0.0012 || rec.Outcome != "success" {
		t.Errorf("record = %+v", rec)
	}
	// The plain text really was logged: only the encryption hides it.
	if !strings.Contains(rec.Input.InputBodyJSON.Messages[0].Content, piiValues[2]) {
		t.Errorf("decrypted input %q lacks the logged email", rec.Input.InputBodyJSON.Messages[0].Content)
	}
}

func TestFileSinkRotatesDaily(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := newClock()
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: MustLocalWrapper(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := &audit.InvocationRecord{RequestID: "r1", Outcome: "success"}
	sink.Write(context.Background(), rec)
	clock.Add(24 * time.Hour)
	sink.Write(context.Background(), rec)
	sink.Close(context.Background())
	names, _ := audit.DirSource{Dir: dir}.List(context.Background())
	if len(names) != 2 || !strings.Contains(names[0], "20261125") || !strings.Contains(names[1], "20261126") {
		t.Errorf("files = %v, want one for each day", names)
	}
}

func TestReaderDetectsDamage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		damage  func([]string) []string
		wantMsg string
	}{
		{"flipped ciphertext", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"c":"`, `"c":"AAAA`, 1)
			return l
		}, "fails authentication"},
		{"deleted line", func(l []string) []string { return append(l[:2], l[3:]...) }, "removed or reordered"},
		{"swapped lines", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, "removed or reordered"},
		{"truncated line", func(l []string) []string { l[3] = l[3][:20]; return l }, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			w := MustLocalWrapper(t)
			sink, _ := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: w, Clock: newClock()})
			writeCalls(t, sink, newClock(), 4)
			names, _ := audit.DirSource{Dir: dir}.List(context.Background())
			path := filepath.Join(dir, names[0])
			b, _ := os.ReadFile(path)
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			os.WriteFile(path, []byte(strings.Join(tt.damage(lines), "\n")+"\n"), 0o600)
			r, _ := audit.NewReader(audit.DirSource{Dir: dir}, w)
			err := r.Read(context.Background(), audit.Filter{}, func(*audit.InvocationRecord) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Read() = %v, want error containing %q", err, tt.wantMsg)
			}
		})
	}
}

func TestReaderNeedsTheRightKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sink, _ := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: MustLocalWrapper(t), Clock: newClock()})
	writeCalls(t, sink, newClock(), 1)
	r, _ := audit.NewReader(audit.DirSource{Dir: dir}, MustLocalWrapper(t)) // another key file
	err := r.Read(context.Background(), audit.Filter{}, func(*audit.InvocationRecord) error { return nil })
	if ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN {
		t.Errorf("Read with another key = %v, want forbidden", err)
	}
}

func TestLocalKeyFilePermissions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "log.key")
	w, _ := audit.NewLocalKeyWrapper(path)
	if _, _, _, err := w.GenerateDataKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	os.Chmod(path, 0o644)
	w2, _ := audit.NewLocalKeyWrapper(path)
	if _, _, _, err := w2.GenerateDataKey(context.Background()); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key file: %v, want invalid with chmod advice", err)
	}
}

// TestS3RefusalTextIsLoggedNotShown checks that a batch S3 refuses fails
// with S3's error code but not S3's own text, which goes to the log.
func TestS3RefusalTextIsLoggedNotShown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	sink, err := audit.NewS3Sink(audit.S3SinkConfig{Client: MustS3(t, "audit-logs"), Bucket: "no-such-bucket", Wrapper: MustLocalWrapper(t),
		Clock: newClock(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Write(context.Background(), &audit.InvocationRecord{SchemaType: "ModelInvocationLog", RequestID: "req-1"}); err != nil {
		t.Fatal(err)
	}
	err = sink.Flush(context.Background())
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Flush = %v, want unavailable naming NoSuchBucket", err)
	}
	const s3Text = "does not exist"
	if strings.Contains(err.Error(), s3Text) {
		t.Errorf("Flush = %q shows S3's text", err)
	}
	if !strings.Contains(logs.String(), s3Text) {
		t.Errorf("S3's text is not in the log:\n%s", logs.String())
	}
}

func TestS3SinkWithKMS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake, kmsClient := MustKMS(t)
	s3Client := MustS3(t, "audit-logs")
	w, err := audit.NewKMSKeyWrapper(kmsClient, kmsfake.Alias, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	sink, err := audit.NewS3Sink(audit.S3SinkConfig{Client: s3Client, Bucket: "audit-logs", Wrapper: w, BatchRecords: 10, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	writeCalls(t, sink, clock, 25) // 3 objects: 10 + 10 + 5

	src := audit.S3Source{Client: s3Client, Bucket: "audit-logs"}
	keys, err := src.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || !strings.HasPrefix(keys[0], "invocation-logs/2026/11/25/") {
		t.Fatalf("objects = %v, want 3 under invocation-logs/2026/11/25/", keys)
	}
	for _, k := range keys {
		out, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("audit-logs"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		assertNoPII(t, k, b)
	}
	if got := fake.Calls("GenerateDataKey"); got != 3 {
		t.Errorf("GenerateDataKey called %d times, want one per object (3)", got)
	}
	r, _ := audit.NewReader(src, w)
	recs := readAll(t, r)
	if len(recs) != 25 {
		t.Fatalf("read %d records, want 25", len(recs))
	}
	if got := fake.Calls("Decrypt"); got != 3 {
		t.Errorf("Decrypt called %d times, want 3", got)
	}
	if n := fake.Unsigned(); n != 0 {
		t.Errorf("%d KMS requests were not SigV4-signed for kms", n)
	}
	var filtered int
	r.Read(ctx, audit.Filter{RequestID: "req-b"}, func(*audit.InvocationRecord) error { filtered++; return nil })
	if filtered != 1 {
		t.Errorf("filter by request id matched %d records, want 1", filtered)
	}
}

// TestKMSErrorsAreCoded checks that KMS's refusals are coded and name
// KMS's error code, with KMS's own text (which names keys, accounts and
// roles) withheld from the error and logged instead.
func TestKMSErrorsAreCoded(t *testing.T) {
	t.Parallel()
	_, client := MustKMS(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	w, _ := audit.NewKMSKeyWrapper(client, "alias/missing", logger)
	_, _, _, err := w.GenerateDataKey(context.Background())
	if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("unknown key: %v, want not_found", err)
	}
	if !strings.Contains(err.Error(), "NotFoundException") || strings.Contains(err.Error(), "does not exist") {
		t.Errorf("unknown key: %q, want KMS's error code without its text", err)
	}
	if !strings.Contains(logs.String(), "does not exist") {
		t.Errorf("KMS's text is not in the log:\n%s", logs.String())
	}
	good, _ := audit.NewKMSKeyWrapper(client, kmsfake.Alias, nil)
	if _, err := good.UnwrapDataKey(context.Background(), []byte("0123456789abcdefghijklmnopqrstuvwxyz"), ""); ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN {
		t.Errorf("bad ciphertext: %v, want forbidden", err)
	}
}

// TestFileSinkConcurrentWrites writes from many goroutines at once into a
// sink that rotates by size every few records, with and without Sync:
// every record a Write returned for is in the files, once, readable with
// its own file's key.
func TestFileSinkConcurrentWrites(t *testing.T) {
	t.Parallel()
	for _, syncEach := range []bool{false, true} {
		t.Run(fmt.Sprint("sync=", syncEach), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			w := MustLocalWrapper(t)
			sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: w, MaxFileBytes: 4096, Sync: syncEach, Clock: newClock()})
			if err != nil {
				t.Fatal(err)
			}
			const writers, each = 16, 25
			var wg sync.WaitGroup
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range each {
						rec := &audit.InvocationRecord{SchemaType: "ModelInvocationLog", RequestID: fmt.Sprintf("req-%02d-%02d", i, j), Outcome: "success"}
						if err := sink.Write(context.Background(), rec); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if err := sink.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			r, err := audit.NewReader(audit.DirSource{Dir: dir}, w)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, rec := range readAll(t, r) {
				seen[rec.RequestID]++
			}
			for i := range writers {
				for j := range each {
					if id := fmt.Sprintf("req-%02d-%02d", i, j); seen[id] != 1 {
						t.Errorf("record %s read %d times, want once", id, seen[id])
					}
				}
			}
			if len(seen) != writers*each {
				t.Errorf("read %d distinct records, want %d", len(seen), writers*each)
			}
		})
	}
}
