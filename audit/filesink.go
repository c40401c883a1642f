package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// FileSinkConfig configures a FileSink.
type FileSinkConfig struct {
	// Dir is the log directory, created 0700 if missing (and tightened to
	// 0700 if not). Required. Keep a local key file elsewhere: a key beside
	// the ciphertext is logged as a warning.
	Dir string
	// Wrapper wraps each file's data key. Required.
	Wrapper KeyWrapper
	// MaxFileBytes rotates a file once it reaches this size. Default 64 MiB.
	MaxFileBytes int64
	// Sync makes every Write fsync the file. Default false: Flush and Close
	// sync, and a crash can lose the records written since.
	Sync bool
	// Clock tells the time; files also rotate when the UTC day changes.
	// Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// FileSink writes encrypted JSONL files named
// invocations-<UTC time>-<segment>.jsonl.enc, mode 0600, each with its own
// data key.
type FileSink struct {
	cfg  FileSinkConfig
	mu   sync.Mutex
	f    logFile
	seg  *segmentWriter
	size int64 // of the open file
	day  int   // of the open file, UTC: yyyymmdd

	line, ct []byte // the buffers of the last line sealed, reused
}

// logFile is what FileSink needs of its open file (an *os.File).
type logFile interface {
	io.Writer
	Sync() error
	Close() error
	Truncate(size int64) error
}

// maxKeptBuffer bounds the encoding buffers kept between writes.
const maxKeptBuffer = 1 << 20

// recordBuffers holds the buffers records are encoded in, outside the
// sink's lock.
var recordBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

var _ Sink = (*FileSink)(nil)

// NewFileSink returns a FileSink, or EINVALID for a bad config.
func NewFileSink(cfg FileSinkConfig) (*FileSink, error) {
	if cfg.Dir == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "file sink: Dir is required")
	}
	if cfg.Wrapper == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "file sink: Wrapper is required")
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = 64 << 20
	}
	if cfg.MaxFileBytes < 1024 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "file sink: MaxFileBytes must be at least 1024")
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := privateDir(cfg.Dir); err != nil {
		return nil, fmt.Errorf("create log directory: %w", err)
	}
	if l, ok := cfg.Wrapper.(*LocalKeyWrapper); ok && within(cfg.Dir, l.Path()) {
		cfg.Logger.Warn("the invocation log's key file is kept beside the ciphertext: whoever copies the log directory can read it; move the key to the keys directory (governance.log_key_file) or use KMS",
			"key_file", l.Path(), "log_dir", cfg.Dir)
	}
	return &FileSink{cfg: cfg}, nil
}

// Write implements Sink. A record that could not be written whole is
// undone: its index goes to the next record, and a partial line is cut off
// the file (or, if it cannot be, the file is closed and the next record
// starts a new one), so that the records written after a failure still
// verify. With Sync, a record whose sync failed is cut off the same way:
// the caller, told it was not written, keeps it elsewhere (the spool).
func (s *FileSink) Write(ctx context.Context, rec *InvocationRecord) error {
	bp := recordBuffers.Get().(*[]byte)
	pt, err := encodeRecord((*bp)[:0], rec)
	defer func() {
		if cap(pt) <= maxKeptBuffer {
			*bp = pt[:0]
			recordBuffers.Put(bp)
		}
	}()
	if err != nil {
		return fmt.Errorf("encode invocation record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now().UTC()
	if s.f == nil || s.size >= s.cfg.MaxFileBytes || utcDay(now) != s.day {
		if err := s.rotate(ctx, now); err != nil {
			return err
		}
	}
	s.line, s.ct, err = s.seg.appendSealed(s.line[:0], s.ct[:0], pt)
	if cap(s.line) > maxKeptBuffer || cap(s.ct) > maxKeptBuffer {
		defer func() { s.line, s.ct = nil, nil }()
	}
	if err != nil {
		return fmt.Errorf("seal invocation record: %w", err)
	}
	n, err := s.f.Write(s.line)
	if err != nil {
		s.undo(n)
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "write invocation log: %w", err)
	}
	if s.cfg.Sync {
		if err := s.f.Sync(); err != nil {
			// The caller spools a record it is told was not written: it
			// must not also stay in the file, or it would be read twice.
			s.undo(n)
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "sync invocation log: %w", err)
		}
	}
	s.size += int64(n)
	return nil
}

// undo takes back a line of which n bytes were written: part of it, or all
// of it when the sync that followed failed.
func (s *FileSink) undo(n int) {
	s.seg.unseal()
	if n == 0 {
		return
	}
	if err := s.f.Truncate(s.size); err != nil {
		s.cfg.Logger.Error("invocation log file ends in a record that could not be cut off (partial, or whole but not synced, and then also spooled: the reader shows its request id twice); the next record starts a new file",
			"err", err)
		s.f.Close()
		s.f, s.seg = nil, nil
	}
}

// utcDay returns t's UTC date as yyyymmdd, without formatting a string on
// every write.
func utcDay(t time.Time) int {
	y, m, d := t.UTC().Date()
	return y*10000 + int(m)*100 + d
}

func (s *FileSink) rotate(ctx context.Context, now time.Time) error {
	if err := s.closeFile(); err != nil {
		return err
	}
	seg, err := newSegmentWriter(ctx, s.cfg.Wrapper, now)
	if err != nil {
		return err
	}
	name := filepath.Join(s.cfg.Dir, fmt.Sprintf("invocations-%s-%s.jsonl.enc", now.Format("20060102T150405Z"), seg.hdr.Segment[:8]))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "create invocation log file: %w", err)
	}
	hdr := seg.header()
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		os.Remove(name) // a file without its header would not verify
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "write invocation log header: %w", err)
	}
	s.f, s.seg, s.size, s.day = f, seg, int64(len(hdr)), utcDay(now)
	s.cfg.Logger.Info("invocation log file opened", "file", filepath.Base(name), "key_id", seg.hdr.KeyID)
	return nil
}

func (s *FileSink) closeFile() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f, s.seg = nil, nil
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "close invocation log file: %w", err)
	}
	return nil
}

// Flush implements Sink by syncing the open file.
func (s *FileSink) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "sync invocation log: %w", err)
	}
	return nil
}

// Close implements Sink.
func (s *FileSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeFile()
}
