package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
)

// S3API is the part of *s3.Client the S3 sink and source use.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// S3SinkConfig configures an S3Sink.
type S3SinkConfig struct {
	// Client is the S3 client. Required.
	Client S3API
	// Bucket receives the objects. Required.
	Bucket string
	// Prefix starts every object key. Default "invocation-logs/".
	Prefix string
	// Wrapper wraps each object's data key. Required.
	Wrapper KeyWrapper
	// BatchRecords uploads a batch once it holds this many records.
	// Default 100.
	BatchRecords int
	// BatchBytes uploads a batch once it is this large. Default 5 MiB.
	BatchBytes int
	// FlushInterval uploads a batch older than this at the next Write, or
	// from Run. Default 1 minute.
	FlushInterval time.Duration
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// S3Sink buffers records and uploads each batch as one encrypted object
// <prefix>YYYY/MM/DD/<UTC time>-<segment>.jsonl.enc with its own data key.
// Records buffered but not uploaded are lost if the process dies: call
// Close on shutdown, and Run to bound the delay.
type S3Sink struct {
	cfg     S3SinkConfig
	mu      sync.Mutex
	seg     *segmentWriter
	buf     bytes.Buffer
	n       int
	started time.Time
}

var _ Sink = (*S3Sink)(nil)

// NewS3Sink returns an S3Sink, or EINVALID for a bad config.
func NewS3Sink(cfg S3SinkConfig) (*S3Sink, error) {
	switch {
	case cfg.Client == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 sink: Client is required")
	case cfg.Bucket == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 sink: Bucket is required")
	case cfg.Wrapper == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 sink: Wrapper is required")
	case cfg.BatchRecords < 0 || cfg.BatchBytes < 0 || cfg.FlushInterval < 0:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 sink: batch limits must not be negative")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "invocation-logs/"
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.BatchRecords == 0 {
		cfg.BatchRecords = 100
	}
	if cfg.BatchBytes == 0 {
		cfg.BatchBytes = 5 << 20
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &S3Sink{cfg: cfg}, nil
}

// Write implements Sink.
func (s *S3Sink) Write(ctx context.Context, rec *InvocationRecord) error {
	pt, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode invocation record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	if s.seg == nil {
		seg, err := newSegmentWriter(ctx, s.cfg.Wrapper, now)
		if err != nil {
			return err
		}
		s.seg, s.started = seg, now
		s.buf.Reset()
		s.buf.Write(seg.header())
	}
	line, err := s.seg.seal(pt)
	if err != nil {
		return fmt.Errorf("seal invocation record: %w", err)
	}
	s.buf.Write(line)
	s.n++
	if s.n >= s.cfg.BatchRecords || s.buf.Len() >= s.cfg.BatchBytes || now.Sub(s.started) >= s.cfg.FlushInterval {
		return s.upload(ctx)
	}
	return nil
}

func (s *S3Sink) upload(ctx context.Context) error {
	if s.seg == nil || s.n == 0 {
		return nil
	}
	t := s.started.UTC()
	key := fmt.Sprintf("%s%s/%s-%s.jsonl.enc", s.cfg.Prefix, t.Format("2006/01/02"), t.Format("20060102T150405Z"), s.seg.hdr.Segment[:8])
	_, err := s.cfg.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(s.buf.Bytes()), ContentType: aws.String("application/x-ndjson"),
	})
	if err != nil {
		// Keep the batch; the next Write or Flush retries it.
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "upload invocation log batch to s3://%s/%s: %w", s.cfg.Bucket, key, err)
	}
	s.cfg.Logger.Info("invocation log batch uploaded", "key", key, "records", s.n)
	s.seg, s.n = nil, 0
	s.buf.Reset()
	return nil
}

// Flush implements Sink: it uploads the current batch.
func (s *S3Sink) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upload(ctx)
}

// Close implements Sink.
func (s *S3Sink) Close(ctx context.Context) error { return s.Flush(ctx) }

// Run uploads any batch older than FlushInterval until ctx is done, then
// returns nil. Start it in its own goroutine.
func (s *S3Sink) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.FlushInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.mu.Lock()
			if s.seg != nil && s.cfg.Clock.Now().Sub(s.started) >= s.cfg.FlushInterval {
				if err := s.upload(ctx); err != nil {
					s.cfg.Logger.Error("upload invocation log batch", "err", err)
				}
			}
			s.mu.Unlock()
		}
	}
}
