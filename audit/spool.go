package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Where a spooled record is written again.
const (
	DestLog   = "log"   // the invocation log (Destinations.Log)
	DestTrail = "trail" // the audit trail (Destinations.Trail)
)

// ErrNotRecorded is in the chain of the error the middleware returns when
// a call's record could be written neither to its destination nor to the
// spool.
var ErrNotRecorded = errors.New("call not recorded")

// SpoolConfig configures a Spool.
type SpoolConfig struct {
	// Dir holds the spooled records, one file each (mode 0600), in a
	// directory created 0700: <data dir>/spool. Required.
	Dir string
	// Wrapper encrypts each spooled record. Required. It must not depend
	// on what may be down when records are spooled: use a LocalKeyWrapper
	// whose key file is in the keys directory (not in Dir), not KMS.
	Wrapper KeyWrapper
	// RetryInterval is how often Run writes spooled records again.
	// Default 30 seconds.
	RetryInterval time.Duration
	// AlertAt is the number of pending records from which every new one is
	// logged at error level instead of warn. Default 100.
	AlertAt int
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives a warning for every spooled record and an error when
	// the spool grows past AlertAt or cannot be replayed. Default: discard.
	Logger *slog.Logger
}

// Destinations are where Replay writes spooled records.
type Destinations struct {
	Log   Sink   // DestLog records; nil leaves them spooled
	Trail *Trail // DestTrail records; nil leaves them spooled
}

// SpoolStats are the spool's figures, for metrics and alerts.
type SpoolStats struct {
	// Pending records wait in the spool; alert when it grows.
	Pending int64 `json:"pending"`
	// Spooled and Replayed count records put and written again since start.
	Spooled  uint64 `json:"spooled"`
	Replayed uint64 `json:"replayed"`
}

// Spool keeps invocation records that their destination could not take
// (KMS unreachable, S3 or the database down) on local disk, encrypted, and
// writes them again later, so that a paid model call is never lost, nor
// repeated, because its record could not be written. A replayed record is
// written at least once: a crash between writing it and removing its file
// writes it again.
type Spool struct {
	cfg      SpoolConfig
	replayMu sync.Mutex // one replay at a time
	pending  atomic.Int64
	spooled  atomic.Uint64
	replayed atomic.Uint64
}

// spoolEntry is the plaintext of one spooled record.
type spoolEntry struct {
	Dest   string            `json:"dest"`
	Record *InvocationRecord `json:"record"`
}

// NewSpool returns a spool on cfg.Dir, creating it 0700 (and tightening
// an existing one to 0700), or EINVALID for a bad config.
func NewSpool(cfg SpoolConfig) (*Spool, error) {
	switch {
	case cfg.Dir == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "spool: Dir is required")
	case cfg.Wrapper == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "spool: Wrapper is required")
	case cfg.RetryInterval < 0 || cfg.AlertAt < 0:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "spool: RetryInterval and AlertAt must not be negative")
	}
	if l, ok := cfg.Wrapper.(*LocalKeyWrapper); ok && within(cfg.Dir, l.Path()) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "spool: the key file %s is inside the spool directory %s: keep keys in a directory of their own", l.Path(), cfg.Dir)
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 30 * time.Second
	}
	if cfg.AlertAt == 0 {
		cfg.AlertAt = 100
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := privateDir(cfg.Dir); err != nil {
		return nil, fmt.Errorf("create spool directory: %w", err)
	}
	s := &Spool{cfg: cfg}
	names, err := s.list()
	if err != nil {
		return nil, err
	}
	s.pending.Store(int64(len(names)))
	return s, nil
}

// Stats returns the spool's figures.
func (s *Spool) Stats() SpoolStats {
	return SpoolStats{Pending: s.pending.Load(), Spooled: s.spooled.Load(), Replayed: s.replayed.Load()}
}

// Put stores rec for dest (DestLog or DestTrail), encrypted, in a file of
// its own written atomically. cause is why the destination refused it,
// for the log line. It returns EINVALID for an unknown dest and
// EUNAVAILABLE when the file cannot be written.
func (s *Spool) Put(ctx context.Context, dest string, rec *InvocationRecord, cause error) error {
	if dest != DestLog && dest != DestTrail {
		return ticketsum.Errorf(ticketsum.EINVALID, "spool: unknown destination %q", dest)
	}
	pt, err := json.Marshal(spoolEntry{Dest: dest, Record: rec})
	if err != nil {
		return fmt.Errorf("encode spooled record: %w", err)
	}
	now := s.cfg.Clock.Now()
	seg, err := newSegmentWriter(ctx, s.cfg.Wrapper, now)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "spool record %s: %w", rec.RequestID, err)
	}
	line, err := seg.seal(pt)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "spool record %s: %w", rec.RequestID, err)
	}
	var id [6]byte
	rand.Read(id[:])
	name := fmt.Sprintf("%020d-%s.rec", now.UnixNano(), hex.EncodeToString(id[:]))
	if err := writeFileAtomic(filepath.Join(s.cfg.Dir, name), append(seg.header(), line...)); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "spool record %s: %w", rec.RequestID, err)
	}
	n := s.pending.Add(1)
	s.spooled.Add(1)
	level, msg := slog.LevelWarn, "record spooled locally: its destination refused it; it is written again later"
	if n >= int64(s.cfg.AlertAt) {
		level, msg = slog.LevelError, "spool is growing: records cannot reach their destination"
	}
	s.cfg.Logger.Log(ctx, level, msg, "dest", dest, "request_id", rec.RequestID, "pending", n, "cause", errText(cause))
	return nil
}

// errText is err's coded message, safe for logs.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return ticketsum.ErrorMessage(err)
}

// Replay writes every spooled record to its destination, oldest first,
// removing each file once written (after Log.Flush for log records). It
// stops at the first destination that refuses, and returns EUNAVAILABLE
// saying how many records are still pending; nil when none is. Processes
// sharing the directory claim each file by renaming it, so that no record
// is replayed by two at once; a claim older than staleClaim (its process
// died) is taken back.
func (s *Spool) Replay(ctx context.Context, to Destinations) error {
	s.replayMu.Lock()
	defer s.replayMu.Unlock()
	names, err := s.list()
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	var done []string
	var werr error
	for _, name := range names {
		path := filepath.Join(s.cfg.Dir, name)
		claimed := path + claimSuffix
		if os.Rename(path, claimed) != nil {
			continue // another process took it
		}
		os.Chtimes(claimed, now, now)
		if werr = s.replayOne(ctx, claimed, to); werr != nil {
			os.Rename(claimed, path)
			break
		}
		done = append(done, claimed)
	}
	if len(done) > 0 && to.Log != nil {
		if err := to.Log.Flush(ctx); err != nil {
			for _, c := range done {
				os.Rename(c, strings.TrimSuffix(c, claimSuffix))
			}
			s.recount()
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "replay spool: flush invocation log: %w", err)
		}
	}
	for _, c := range done {
		if err := os.Remove(c); err != nil && !errors.Is(err, os.ErrNotExist) {
			werr = errors.Join(werr, err)
		}
	}
	s.replayed.Add(uint64(len(done)))
	if left := s.recount(); werr != nil || left > 0 {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "replay spool: %d records still pending: %w", left, werr)
	}
	return nil
}

// claimSuffix marks a spooled file a process is replaying; staleClaim is
// the age after which a claim is taken back.
const (
	claimSuffix = ".claim"
	staleClaim  = 10 * time.Minute
)

// recount sets the pending count from the directory and returns it.
func (s *Spool) recount() int64 {
	names, err := s.list()
	if err != nil {
		return s.pending.Load()
	}
	n := int64(len(names))
	s.pending.Store(n)
	return n
}

func (s *Spool) replayOne(ctx context.Context, path string, to Destinations) error {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var ent spoolEntry
	err = openSegment(ctx, f, map[string]KeyWrapper{s.cfg.Wrapper.Name(): s.cfg.Wrapper}, func(pt []byte) error {
		return json.Unmarshal(pt, &ent)
	})
	f.Close()
	if err != nil || ent.Record == nil {
		return fmt.Errorf("spooled record %s cannot be read (left in place): %w", name, err)
	}
	switch {
	case ent.Dest == DestLog && to.Log != nil:
		return to.Log.Write(ctx, ent.Record)
	case ent.Dest == DestTrail && to.Trail != nil:
		e := eventFromInvocation(ent.Record)
		if e.Details == nil {
			e.Details = map[string]string{}
		}
		e.Details["spooled"] = "true"
		return to.Trail.Append(ctx, e)
	}
	return fmt.Errorf("spooled record %s is for the %s, which is not configured here", name, ent.Dest)
}

// Run replays the spool every RetryInterval while records are pending,
// logging an error while they cannot be written, until ctx is done; then
// it replays once more and returns. Start it in its own goroutine.
func (s *Spool) Run(ctx context.Context, to Destinations) error {
	tick := time.NewTicker(s.cfg.RetryInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return s.flush(context.WithoutCancel(ctx), to)
		case <-tick.C:
			if s.pending.Load() > 0 {
				if err := s.Replay(ctx, to); err != nil {
					s.cfg.Logger.Error("spooled records not written yet", "pending", s.pending.Load(), "err", errText(err))
				}
			}
		}
	}
}

// flush replays when records are pending.
func (s *Spool) flush(ctx context.Context, to Destinations) error {
	if s.pending.Load() == 0 {
		return nil
	}
	return s.Replay(ctx, to)
}

// list returns the spooled files, oldest first, taking back stale claims.
func (s *Spool) list() ([]string, error) {
	ents, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("read spool directory: %w", err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if rec, ok := strings.CutSuffix(name, claimSuffix); ok && strings.HasSuffix(rec, ".rec") {
			if fi, err := e.Info(); err == nil && s.cfg.Clock.Now().Sub(fi.ModTime()) > staleClaim &&
				os.Rename(filepath.Join(s.cfg.Dir, name), filepath.Join(s.cfg.Dir, rec)) == nil {
				name = rec
			}
		}
		if !e.IsDir() && strings.HasSuffix(name, ".rec") {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// writeFileAtomic writes b to path through a temporary file (0600) that is
// synced and renamed, so that a reader never sees part of it.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = io.Copy(f, bytes.NewReader(b))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// privateDir creates dir with mode 0700, or tightens an existing one to it.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// within reports whether path is inside dir.
func within(dir, path string) bool {
	d, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
