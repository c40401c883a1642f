package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// TrailConfig configures a Trail.
type TrailConfig struct {
	// DB holds the audit_ tables: SQLite (driver "sqlite", opened with
	// "_pragma=busy_timeout(5000)") or Postgres (driver "pgx"). Required.
	DB *sql.DB
	// Dialect of DB. Required.
	Dialect Dialect
	// SigningKey signs digests. If nil, it is read from SigningKeyFile,
	// which is created (0600, PKCS#8 PEM, with a .pub beside it) on first
	// use. One of the two is required.
	SigningKey     ed25519.PrivateKey
	SigningKeyFile string
	// DigestEvery writes a digest after this many new records. Default 1000.
	DigestEvery int
	// DigestInterval writes a digest this often from Run when there are new
	// records. Default 1 hour.
	DigestInterval time.Duration
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// Trail is the append-only, hash-chained audit trail with signed digests.
// It is safe for concurrent use, also from several processes sharing the
// database.
type Trail struct {
	cfg TrailConfig
	key ed25519.PrivateKey
	pub ed25519.PublicKey

	mu             sync.Mutex
	lastDigestSeq  int64
	digestSeqKnown bool
}

// NewTrail returns a trail, or EINVALID for a bad config. Call Migrate
// before first use.
func NewTrail(cfg TrailConfig) (*Trail, error) {
	if err := sqldb.Check("audit trail", cfg.DB, cfg.Dialect); err != nil {
		return nil, err
	}
	if cfg.DigestEvery == 0 {
		cfg.DigestEvery = 1000
	}
	if cfg.DigestInterval == 0 {
		cfg.DigestInterval = time.Hour
	}
	if cfg.DigestEvery < 0 || cfg.DigestInterval < 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: DigestEvery and DigestInterval must not be negative")
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	key := cfg.SigningKey
	if key == nil {
		if cfg.SigningKeyFile == "" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: SigningKey or SigningKeyFile is required")
		}
		var err error
		if key, err = loadOrCreateSigningKey(cfg.SigningKeyFile); err != nil {
			return nil, err
		}
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: signing key is not an Ed25519 private key")
	}
	return &Trail{cfg: cfg, key: key, pub: key.Public().(ed25519.PublicKey)}, nil
}

// PublicKey returns the key that verifies the trail's digests.
func (t *Trail) PublicKey() ed25519.PublicKey { return t.pub }

// Migrate creates the audit_ tables.
func (t *Trail) Migrate(ctx context.Context) error {
	return migrate(ctx, t.cfg.DB, t.cfg.Dialect)
}

// RecordAdmin appends an admin event; it implements access.AdminRecorder.
func (t *Trail) RecordAdmin(ctx context.Context, actor, action, target string, details map[string]string) error {
	return t.Append(ctx, &Event{Kind: KindAdmin, Actor: actor, Action: action, Target: target, Outcome: "success", Details: details})
}

// AppendInvocation appends the trail event of a model call: attribution,
// tokens, cost, outcome and guardrail flags, never input or output text.
func (t *Trail) AppendInvocation(ctx context.Context, r *InvocationRecord) error {
	return t.Append(ctx, eventFromInvocation(r))
}

// Append sets e's Seq, PrevHash and Hash (and Time if zero) and stores it
// at the end of the chain. It writes a digest every DigestEvery records.
func (t *Trail) Append(ctx context.Context, e *Event) error {
	if e.Kind == "" || e.Action == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "audit event needs a kind and an action")
	}
	if e.Time.IsZero() {
		e.Time = t.cfg.Clock.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	for attempt := range 8 {
		if err = t.appendOnce(ctx, e); err == nil || !contention(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "append audit event %s: %w", e.Action, err)
	}
	if !t.digestSeqKnown {
		if d, err := t.lastDigest(ctx); err == nil {
			t.lastDigestSeq, t.digestSeqKnown = digestSeq(d), true
		}
	}
	if t.digestSeqKnown && e.Seq-t.lastDigestSeq >= int64(t.cfg.DigestEvery) {
		if _, err := t.writeDigestLocked(ctx); err != nil {
			t.cfg.Logger.Error("write audit digest", "err", err)
		}
	}
	return nil
}

// contention reports whether err is a lost race that a retry can win.
func contention(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "locked") || strings.Contains(s, "busy") || strings.Contains(s, "unique") ||
		strings.Contains(s, "duplicate") || strings.Contains(s, "23505") || strings.Contains(s, "40001")
}

func (t *Trail) appendOnce(ctx context.Context, e *Event) error {
	tx, err := t.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if t.cfg.Dialect == Postgres {
		// Serialise appenders across processes.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243561001)`); err != nil {
			return err
		}
	}
	var last int64
	prev := GenesisHash
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	e.Seq, e.PrevHash = last+1, prev
	e.Hash = e.ComputeHash()
	if err := insertEvent(ctx, tx, t.cfg.Dialect, e); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func insertEvent(ctx context.Context, db execer, d Dialect, e *Event) error {
	flags, _ := json.Marshal(nonNilFlags(e.Flags))
	details, _ := json.Marshal(nonNilDetails(e.Details))
	_, err := db.ExecContext(ctx, d.Rebind(`INSERT INTO audit_records (seq, at, kind, actor, action, target, request_id, ticket_id,
		product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
		cost_micros, flags, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.Time.UnixMicro(), e.Kind, e.Actor, e.Action, e.Target, e.RequestID, e.TicketID, e.ProductLine, e.UseCase,
		e.Outcome, e.ErrorCode, e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheWriteTokens, e.CostMicros,
		string(flags), string(details), e.PrevHash, e.Hash)
	return err
}

func nonNilFlags(f []string) []string {
	if f == nil {
		return []string{}
	}
	return f
}

func nonNilDetails(d map[string]string) map[string]string {
	if d == nil {
		return map[string]string{}
	}
	return d
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

// Run writes a digest every DigestInterval while there are new records,
// until ctx is done; then it writes a last digest and returns. Start it in
// its own goroutine.
func (t *Trail) Run(ctx context.Context) error {
	tick := time.NewTicker(t.cfg.DigestInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			_, err := t.WriteDigest(context.WithoutCancel(ctx))
			return err
		case <-tick.C:
			if _, err := t.WriteDigest(ctx); err != nil {
				t.cfg.Logger.Error("write audit digest", "err", err)
			}
		}
	}
}
