package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/audit/internal/kmsfake"
)

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *fixedClock {
	return &fixedClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

// MustTrail returns a migrated trail on db with a fresh signing key.
func MustTrail(tb testing.TB, db *sql.DB, d audit.Dialect, clock ticketsum.Clock, digestEvery int) *audit.Trail {
	tb.Helper()
	tr, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: d, SigningKeyFile: filepath.Join(tb.TempDir(), "signing.pem"), DigestEvery: digestEvery, Clock: clock})
	if err != nil {
		tb.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return tr
}

// MustTrailWithKey is MustTrail with a signing key made from seed, for
// output that shows the key's fingerprint.
func MustTrailWithKey(tb testing.TB, db *sql.DB, clock ticketsum.Clock, digestEvery int, seed byte) *audit.Trail {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	tr, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKey: key, DigestEvery: digestEvery, Clock: clock})
	if err != nil {
		tb.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return tr
}

// MustLocalWrapper returns a local key wrapper with its key file in a temp
// dir.
func MustLocalWrapper(tb testing.TB) *audit.LocalKeyWrapper {
	tb.Helper()
	w, err := audit.NewLocalKeyWrapper(filepath.Join(tb.TempDir(), "keys", "log.key"))
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// MustKMS starts the in-process KMS fake and returns it with a real KMS
// client pointed at it.
func MustKMS(tb testing.TB) (*kmsfake.Server, *kms.Client) {
	tb.Helper()
	fake := kmsfake.New()
	srv := httptest.NewServer(fake)
	tb.Cleanup(srv.Close)
	client := kms.New(kms.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
	return fake, client
}

// MustS3 starts gofakes3 and returns a real S3 client with a bucket.
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

// fakeModel answers with fixed text, usage and cost, or fails with err.
type fakeModel struct {
	name string
	text string
	err  error
}

func (m *fakeModel) Name() string { return m.name }
func (m *fakeModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if m.err != nil {
		return nil, m.err
	}
	return &ticketsum.ModelResponse{Text: m.text, Model: m.name, StopReason: "end_turn",
		Usage: ticketsum.Usage{InputTokens: 1200, OutputTokens: 60}, CostUSD: 0.0012, Flags: []string{"input:EMAIL:ANONYMIZED"}}, nil
}

// piiRequest is a request whose text holds known personal data.
func piiRequest(i int) *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{
		System:   "Summarise the ticket in one paragraph.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Customer Margarethe Vandersloot (margarethe.vandersloot@example.org, +1 415 555 0199) cannot log in."}},
		Meta:     ticketsum.CallMeta{RequestID: "req-" + string(rune('a'+i%26)), Principal: "ticketsum-worker", TicketID: "T-100", ProductLine: "billing"},
	}
}

var piiValues = []string{"Margarethe", "Vandersloot", "margarethe.vandersloot@example.org", "415 555 0199"}
