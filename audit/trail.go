package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// TrailConfig configures a Trail.
type TrailConfig struct {
	// DB holds the audit_ tables: SQLite (driver "sqlite", opened with
	// "_pragma=busy_timeout(5000)&_txlock=immediate") or Postgres (driver
	// "pgx"). Required.
	DB *sql.DB
	// Dialect of DB. Required.
	Dialect Dialect
	// SigningKey signs digests. If nil, it is read from SigningKeyFile,
	// which is created (0600, PKCS#8 PEM, with a .pub beside it) on first
	// use. One of the two is required unless NoSigning is set.
	SigningKey     ed25519.PrivateKey
	SigningKeyFile string
	// NoSigning makes a trail that appends and verifies but never signs,
	// for a process that holds no signing key (the Lambda): a signer
	// (serve, worker, or `ticketsum audit sign` on a schedule) must sign
	// its records within DigestInterval, or Verify reports the trail
	// unproven. Default false.
	NoSigning bool
	// PinnedKey is the KeyFingerprint of the public key that signs the
	// digests now (governance.signing_key_fingerprint). When set, NewTrail
	// refuses a signing key with another fingerprint, and Verify fails a
	// trail whose digests are not signed by it, so that a replaced key file
	// is detected even when every digest was re-signed with it. Default "":
	// the signing key's own fingerprint is trusted.
	PinnedKey string
	// Anchor, if set, receives a copy of every digest outside the database
	// (an S3 bucket with Object Lock), and Verify compares the trail with
	// it, which catches a trail whose tail, digests or everything were
	// deleted. Default nil.
	Anchor Anchor
	// DigestEvery writes a digest after this many new records. Default 1000.
	DigestEvery int
	// DigestInterval bounds how long a record may stay unsigned: Run signs
	// new records every half interval, and Verify reports a trail whose
	// records older than this are not under a digest as unproven.
	// Default 1 hour.
	DigestInterval time.Duration
	// CommitTimeout bounds one group commit of appends. Default 30s.
	CommitTimeout time.Duration
	// Commit says what a group commit of model calls' records waits for
	// on Postgres (governance.trail_commit). Default CommitFlushed.
	Commit TrailCommit
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// TrailCommit is what the trail's group commit of model calls' records
// waits for on Postgres: the value of governance.trail_commit.
type TrailCommit string

const (
	// CommitFlushed waits for the commit's WAL flush: a record whose
	// Append returned survives a crash of Postgres or of its host. The
	// default.
	CommitFlushed TrailCommit = "flushed"
	// CommitAsync commits groups of invocation records with SET LOCAL
	// synchronous_commit = off: Append returns before the WAL flush, so a
	// crash of Postgres or of its host (not of the appending process) can
	// lose the records, and the budget charges committed with them, of
	// the last 3 x wal_writer_delay (600 ms by default). What is lost is
	// the chain's end, so the chain stays intact; the next group re-reads
	// the end rather than build on a lost record. A group holding an admin
	// event still waits for the flush. On SQLite it changes nothing: the
	// trail's database runs in WAL mode with synchronous=NORMAL, which
	// already gives this guarantee (a commit survives a crash of the
	// process, not of the host OS).
	CommitAsync TrailCommit = "async"
)

// Trail is the append-only, hash-chained audit trail with signed digests.
// It is safe for concurrent use, also from several processes sharing the
// database: appends are group-committed by one writer goroutine at a time
// per process, and serialised across processes by the database (an
// advisory lock on Postgres, the write lock on SQLite).
type Trail struct {
	cfg TrailConfig

	keyMu sync.RWMutex
	key   ed25519.PrivateKey // nil with NoSigning
	trust string             // fingerprint Verify trusts, "" for none

	writer    writer
	companion Companion // set by Attach before the first append
	// calls counts the model calls under way whose records this trail
	// will append (CallStarted): the writer gathers larger groups while
	// there are many.
	calls atomic.Int64

	stateMu       sync.Mutex
	lastDigestSeq int64
	digestKnown   bool
	anchoredN     int64 // highest N known to be in the anchor, -1 unknown
}

// NewTrail returns a trail, or EINVALID for a bad config. Call Migrate
// before first use, and Close before the process exits.
func NewTrail(cfg TrailConfig) (*Trail, error) {
	if err := sqldb.Check("audit trail", cfg.DB, cfg.Dialect); err != nil {
		return nil, err
	}
	if err := fillTrailDefaults(&cfg); err != nil {
		return nil, err
	}
	t := &Trail{cfg: cfg, trust: cfg.PinnedKey, anchoredN: -1}
	t.writer.t = t
	t.writer.linger = lingerFor
	if cfg.NoSigning {
		return t, nil
	}
	key := cfg.SigningKey
	if key == nil {
		if cfg.SigningKeyFile == "" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: SigningKey or SigningKeyFile is required (or NoSigning)")
		}
		var err error
		if key, err = loadOrCreateSigningKey(cfg.SigningKeyFile); err != nil {
			return nil, err
		}
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: signing key is not an Ed25519 private key")
	}
	fp := KeyFingerprint(key.Public().(ed25519.PublicKey))
	if cfg.PinnedKey != "" && fp != cfg.PinnedKey {
		return nil, ticketsum.Errorf(ticketsum.EINVALID,
			"audit trail: the signing key %s has fingerprint %s, but governance.signing_key_fingerprint pins %s: the key file was replaced, or the pin was not updated after `ticketsum audit rotate-key`",
			cfg.SigningKeyFile, fp, cfg.PinnedKey)
	}
	t.key, t.trust = key, fp
	return t, nil
}

func fillTrailDefaults(cfg *TrailConfig) error {
	if cfg.DigestEvery == 0 {
		cfg.DigestEvery = 1000
	}
	if cfg.DigestInterval == 0 {
		cfg.DigestInterval = time.Hour
	}
	if cfg.CommitTimeout == 0 {
		cfg.CommitTimeout = 30 * time.Second
	}
	switch cfg.Commit {
	case "":
		cfg.Commit = CommitFlushed
	case CommitFlushed, CommitAsync:
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "audit trail: governance.trail_commit %q: want %s or %s", cfg.Commit, CommitFlushed, CommitAsync)
	}
	if cfg.DigestEvery < 0 || cfg.DigestInterval < 0 || cfg.CommitTimeout < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "audit trail: DigestEvery, DigestInterval and CommitTimeout must not be negative")
	}
	if cfg.PinnedKey != "" && !ValidFingerprint(cfg.PinnedKey) {
		return ticketsum.Errorf(ticketsum.EINVALID, "audit trail: governance.signing_key_fingerprint %q is not a key fingerprint (sha256: and 64 hex digits; `ticketsum audit key` prints it)", cfg.PinnedKey)
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Companion is state that commits in the trail's group commit, in the
// same transaction as the records: access.Service's budget settlements,
// so that a call recorded in the trail is charged too. Stage takes what
// the companion has queued; write writes it within tx (on the trail's
// database); done receives the transaction's outcome once it has ended
// (nil after a commit; after an error the companion writes it later on
// its own). Stage returns nils when nothing is queued; it is called before
// the transaction begins.
type Companion interface {
	Stage() (write func(ctx context.Context, tx *sql.Tx) error, done func(error))
}

// StatementCompanion is a Companion that can also give its share as
// statements, which the group commit on Postgres sends in the same
// pipeline as the records (one round trip for the whole transaction).
// StageStatements is Stage plus queue: when queue is not nil it adds the
// share's statements (Postgres placeholders, results not read) with add,
// in the order they must run, and the trail runs either those or write,
// never both; queue is nil when the share needs a statement's result, and
// write then runs in a transaction as Stage's does.
type StatementCompanion interface {
	Companion
	StageStatements() (write func(ctx context.Context, tx *sql.Tx) error, queue func(add func(query string, args ...any)), done func(error))
}

// Attach makes c's queued writes commit with each group of appends. Call
// it before the first Append; c's tables must be in the trail's database.
// On SQLite c's write must write (it takes the write lock that keeps the
// read of the chain's end and the inserts together).
func (t *Trail) Attach(c Companion) { t.companion = c }

// PublicKey returns the key that signs the trail's digests, nil with
// NoSigning.
func (t *Trail) PublicKey() ed25519.PublicKey {
	k := t.signingKey()
	if k == nil {
		return nil
	}
	return k.Public().(ed25519.PublicKey)
}

func (t *Trail) signingKey() ed25519.PrivateKey {
	t.keyMu.RLock()
	defer t.keyMu.RUnlock()
	return t.key
}

// Migrate creates the audit_ tables.
func (t *Trail) Migrate(ctx context.Context) error {
	return migrate(ctx, t.cfg.DB, t.cfg.Dialect)
}

// CallStarted tells the trail that a model call whose record it will
// append is under way; call the returned func when the call has returned,
// before its record is appended. While many calls are under way, the
// group commit waits for the ready ones' records to join a group.
func (t *Trail) CallStarted() (returned func()) {
	t.calls.Add(1)
	return t.callReturned
}

func (t *Trail) callReturned() { t.calls.Add(-1) }

// RecordAdmin appends an admin event; it implements access.AdminRecorder.
// actor is the person acting (the OS user or --as), never a placeholder.
func (t *Trail) RecordAdmin(ctx context.Context, actor, action, target string, details map[string]string) error {
	return t.Append(ctx, &Event{Kind: KindAdmin, Actor: actor, Action: action, Target: target, Outcome: "success", Details: details})
}

// AppendInvocation appends the trail event of a model call: attribution,
// tokens, cost, outcome and guardrail flags, never input or output text.
func (t *Trail) AppendInvocation(ctx context.Context, r *InvocationRecord) error {
	return t.Append(ctx, eventFromInvocation(r))
}

// Append sets e's Seq, PrevHash and Hash (and Time if zero) and stores it
// at the end of the chain. Concurrent appends are committed together in
// one transaction; Append returns once e is committed, even if ctx ends
// meanwhile (an event handed to the writer is written, so that the caller
// never records it twice). It writes a digest every DigestEvery records.
// It returns EINVALID for an event without kind or action and
// EUNAVAILABLE when the database cannot take it.
func (t *Trail) Append(ctx context.Context, e *Event) error {
	if e.Kind == "" || e.Action == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "audit event needs a kind and an action")
	}
	if e.Time.IsZero() {
		e.Time = t.cfg.Clock.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	if err := <-t.writer.submit(e); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "append audit event %s: %w", e.Action, err)
	}
	return nil
}

// Close writes what is pending, signs the records no digest covers yet
// and copies new digests to the anchor: call it before the process exits
// (every process that appends: serve, worker, admin commands, the Lambda).
// With NoSigning it only waits for pending appends. The trail stays usable.
func (t *Trail) Close(ctx context.Context) error {
	t.writer.wait()
	if t.signingKey() == nil {
		return nil
	}
	_, err := t.WriteDigest(ctx)
	return err
}

// Run signs new records every half DigestInterval (and once at start, for
// records that a process which exited without signing left behind) until
// ctx is done; then it signs the last ones and returns. Start it in its
// own goroutine in every long-running process that holds the signing key.
func (t *Trail) Run(ctx context.Context) error {
	if t.signingKey() == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "audit trail: Run needs a signing key (NoSigning is set)")
	}
	if t.cfg.Commit == CommitAsync {
		if t.cfg.Dialect == Postgres {
			t.cfg.Logger.Info("audit trail: model calls' records commit without waiting for the WAL flush (governance.trail_commit: async); a crash of Postgres or its host can lose the last ~3 x wal_writer_delay of them")
		} else {
			t.cfg.Logger.Info("audit trail: governance.trail_commit async changes nothing on SQLite, whose WAL mode with synchronous=NORMAL already commits without a flush per commit")
		}
	}
	tick := time.NewTicker(max(t.cfg.DigestInterval/2, time.Millisecond))
	defer tick.Stop()
	for {
		if _, err := t.WriteDigest(ctx); err != nil && ctx.Err() == nil {
			t.cfg.Logger.Error("write audit digest", "err", err)
		}
		select {
		case <-ctx.Done():
			return t.Close(context.WithoutCancel(ctx))
		case <-tick.C:
		}
	}
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

const eventCols = `seq, at, kind, actor, action, target, request_id, ticket_id, product_line, use_case, outcome, error_code,
	input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_micros, flags, details, prev_hash, hash`

func scanEvent(sc interface{ Scan(...any) error }) (*Event, error) {
	var e Event
	var at int64
	var flags, details string
	err := sc.Scan(&e.Seq, &at, &e.Kind, &e.Actor, &e.Action, &e.Target, &e.RequestID, &e.TicketID, &e.ProductLine,
		&e.UseCase, &e.Outcome, &e.ErrorCode, &e.InputTokens, &e.OutputTokens, &e.CacheReadTokens, &e.CacheWriteTokens,
		&e.CostMicros, &flags, &details, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, err
	}
	e.Time = time.UnixMicro(at).UTC()
	// Undecodable JSON is left empty: the hash check then reports the edit.
	if json.Unmarshal([]byte(flags), &e.Flags) != nil {
		e.Flags = []string{"<damaged>"}
	}
	if json.Unmarshal([]byte(details), &e.Details) != nil {
		e.Details = map[string]string{"<damaged>": details}
	}
	if len(e.Flags) == 0 {
		e.Flags = nil
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return &e, nil
}

// Events returns the stored events with seq > after, in storage order, at
// most limit of them (0 means all).
func (t *Trail) Events(ctx context.Context, after int64, limit int) ([]*Event, error) {
	q := `SELECT ` + eventCols + ` FROM audit_records WHERE seq > ? ORDER BY seq`
	args := []any{after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := t.cfg.DB.QueryContext(ctx, t.cfg.Dialect.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	var out []*Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("read audit trail: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
