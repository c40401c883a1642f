package audit

import (
	"bytes"
	"context"
	"errors"
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
	// Spool, if set, takes the records of a batch whose upload failed, so
	// that they survive the process (written again by Spool.Replay).
	// Without it the batch stays in memory and is retried at the next
	// Write, Flush or Run tick; once it reaches four times BatchBytes,
	// Write refuses new records. Default nil.
	Spool *Spool
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// S3Sink buffers records and uploads each batch as one encrypted object
// <prefix>YYYY/MM/DD/<UTC time>-<segment>.jsonl.enc with its own data key.
// Records buffered but not uploaded are lost if the process dies: call
// Flush before a Lambda returns and Close on shutdown, and Run to bound
// the delay. Write returns an error only for a record it did not keep.
type S3Sink struct {
	cfg     S3SinkConfig
	mu      sync.Mutex
	seg     *segmentWriter
	buf     bytes.Buffer
	recs    []*InvocationRecord // the batch, for the spool
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

// Write implements Sink. A failed upload of a full batch is not the new
// record's failure: it is logged and retried (or the batch spooled).
func (s *S3Sink) Write(ctx context.Context, rec *InvocationRecord) error {
	pt, err := encodeRecord(nil, rec)
	if err != nil {
		return fmt.Errorf("encode invocation record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.Len() >= 4*s.cfg.BatchBytes {
		if err := s.upload(ctx); err != nil {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "invocation log: %d records wait for S3 and the buffer is full: %w", len(s.recs), err)
		}
	}
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
	s.recs = append(s.recs, rec)
	if len(s.recs) >= s.cfg.BatchRecords || s.buf.Len() >= s.cfg.BatchBytes || now.Sub(s.started) >= s.cfg.FlushInterval {
		if err := s.upload(ctx); err != nil {
			s.cfg.Logger.Error("invocation log batch kept in memory, retried at the next write or flush", "records", len(s.recs), "err", err)
		}
	}
	return nil
}

// upload puts the batch in S3; when that fails and a Spool is set, the
// batch's records go to the spool instead.
func (s *S3Sink) upload(ctx context.Context) error {
	if s.seg == nil || len(s.recs) == 0 {
		return nil
	}
	t := s.started.UTC()
	key := fmt.Sprintf("%s%s/%s-%s.jsonl.enc", s.cfg.Prefix, t.Format("2006/01/02"), t.Format("20060102T150405Z"), s.seg.hdr.Segment[:8])
	_, err := s.cfg.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(s.buf.Bytes()), ContentType: aws.String("application/x-ndjson"),
	})
	if err != nil {
		err = awsError(ctx, s.cfg.Logger, ticketsum.EUNAVAILABLE, err, "upload invocation log batch to s3://%s/%s", s.cfg.Bucket, key)
		if s.cfg.Spool == nil {
			return err // kept: the next Write, Flush or Run retries it
		}
		for i, r := range s.recs {
			if serr := s.cfg.Spool.Put(ctx, DestLog, r, err); serr != nil {
				s.recs = s.recs[i:] // the spooled ones may be uploaded again with the rest
				return errors.Join(err, serr)
			}
		}
	} else {
		s.cfg.Logger.Info("invocation log batch uploaded", "key", key, "records", len(s.recs))
	}
	s.seg, s.recs = nil, nil
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
