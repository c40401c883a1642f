package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBatch caps the events of one group commit.
const maxBatch = 256

// writer group-commits appends: callers queue their event and wait; one
// goroutine at a time takes everything queued and commits it in one
// transaction. No lock is held across I/O: the mutex guards the queue only.
type writer struct {
	t *Trail

	mu      sync.Mutex
	queue   []pendingEvent
	running bool
	idle    *sync.Cond // signalled when running turns false

	stmtMu sync.Mutex
	stmts  *trailStmts
}

type pendingEvent struct {
	e    *Event
	done chan error
}

// submit queues e and returns the channel its commit result arrives on.
func (w *writer) submit(e *Event) <-chan error {
	done := make(chan error, 1)
	w.mu.Lock()
	w.queue = append(w.queue, pendingEvent{e, done})
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go w.loop()
	}
	return done
}

// wait returns once every queued event is committed.
func (w *writer) wait() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.idle == nil {
		w.idle = sync.NewCond(&w.mu)
	}
	for w.running {
		w.idle.Wait()
	}
}

// loop commits batches until the queue is empty, then exits.
func (w *writer) loop() {
	for {
		w.mu.Lock()
		n := min(len(w.queue), maxBatch)
		if n == 0 {
			w.running = false
			w.queue = nil
			if w.idle != nil {
				w.idle.Broadcast()
			}
			w.mu.Unlock()
			return
		}
		batch := make([]pendingEvent, n)
		copy(batch, w.queue)
		w.queue = w.queue[n:]
		w.mu.Unlock()

		var c staged
		if w.t.companion != nil {
			// After taking the batch: whatever the companion queued before
			// these events were submitted is staged with them.
			c.write, c.done = w.t.companion.Stage()
		}
		ctx, cancel := context.WithTimeout(context.Background(), w.t.cfg.CommitTimeout)
		errs := w.commit(ctx, batch, c)
		cancel()
		// Sign before answering, so that an append that completes a
		// DigestEvery run returns with its digest written.
		w.t.digestIfDue(batch[len(batch)-1].e)
		for i, p := range batch {
			p.done <- errs[i]
		}
	}
}

// staged is a companion's share of one group commit; zero when it has
// nothing queued.
type staged struct {
	write func(context.Context, *sql.Tx) error
	done  func(error)
}

// commit writes batch (and c, in the same transaction) and returns each
// event's result. When the batch as a whole fails for a reason other than
// contention, c is handed back to its companion (which writes it later)
// and each event is retried on its own, so that one bad event does not
// fail the others.
func (w *writer) commit(ctx context.Context, batch []pendingEvent, c staged) []error {
	errs := make([]error, len(batch))
	err := w.commitRetrying(ctx, batch, c)
	if c.done != nil {
		c.done(err)
	}
	if err != nil && c.write != nil && !contention(err) { // the companion's share may be what failed
		err = w.commitRetrying(ctx, batch, staged{})
	}
	if err != nil && len(batch) > 1 && !contention(err) {
		for i, p := range batch {
			errs[i] = w.commitRetrying(ctx, []pendingEvent{p}, staged{})
		}
		return errs
	}
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func (w *writer) commitRetrying(ctx context.Context, batch []pendingEvent, c staged) error {
	var err error
	for attempt := range 8 {
		if err = w.commitOnce(ctx, batch, c); err == nil || !contention(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// contention reports whether err is a lost race that a retry can win.
func contention(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "locked") || strings.Contains(s, "busy") || strings.Contains(s, "unique") ||
		strings.Contains(s, "duplicate") || strings.Contains(s, "23505") || strings.Contains(s, "40001")
}

// commitOnce appends batch to the chain in one transaction: it takes the
// append lock, writes the companion's share, reads the end of the chain
// and inserts each event after it.
func (w *writer) commitOnce(ctx context.Context, batch []pendingEvent, c staged) error {
	st, err := w.prepared(ctx)
	if err != nil {
		return err
	}
	tx, err := w.t.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// On SQLite the companion's writes take the write lock as the lock
	// statement would; on Postgres the advisory lock comes first (every
	// process takes it before any row lock of the companion's).
	if c.write == nil || w.t.cfg.Dialect == Postgres {
		if _, err := tx.StmtContext(ctx, st.lock).ExecContext(ctx); err != nil {
			return err
		}
	}
	if c.write != nil {
		if err := c.write(ctx, tx); err != nil {
			return err
		}
	}
	var last int64
	prev := GenesisHash
	err = tx.StmtContext(ctx, st.last).QueryRowContext(ctx).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, p := range batch {
		e := p.e
		e.Seq, e.PrevHash = last+1, prev
		e.Hash = e.ComputeHash()
		last, prev = e.Seq, e.Hash
	}
	if w.t.cfg.Dialect == Postgres && len(batch) > 1 {
		// One statement for the group: on Postgres each statement is a
		// round trip, and a group holds up to maxBatch events.
		if err := insertEvents(ctx, tx, batch); err != nil {
			return err
		}
		return tx.Commit()
	}
	insert := tx.StmtContext(ctx, st.insert)
	for _, p := range batch {
		if err := insertEvent(ctx, insert, p.e); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// eventColumns are the columns of audit_records in insert order.
const eventColumns = `seq, at, kind, actor, action, target, request_id, ticket_id,
		product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
		cost_micros, flags, details, prev_hash, hash`

// numEventColumns is how many columns eventColumns names.
const numEventColumns = 21

// insertEvents inserts batch in one multi-row INSERT (Postgres
// placeholders).
func insertEvents(ctx context.Context, tx *sql.Tx, batch []pendingEvent) error {
	var q strings.Builder
	q.Grow(len(batch)*numEventColumns*6 + 300)
	q.WriteString(`INSERT INTO audit_records (` + eventColumns + `) VALUES `)
	args := make([]any, 0, len(batch)*numEventColumns)
	for i, p := range batch {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range numEventColumns {
			if j > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('$')
			q.WriteString(strconv.Itoa(i*numEventColumns + j + 1))
		}
		q.WriteByte(')')
		args = append(args, eventArgs(p.e)...)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// trailStmts are the prepared statements of the append path.
type trailStmts struct {
	lock, last, insert *sql.Stmt
}

// prepared returns the append statements, preparing them on first use
// (after Migrate); a failure is not kept, so that the next call retries.
func (w *writer) prepared(ctx context.Context) (*trailStmts, error) {
	w.stmtMu.Lock()
	defer w.stmtMu.Unlock()
	if w.stmts != nil {
		return w.stmts, nil
	}
	db, d := w.t.cfg.DB, w.t.cfg.Dialect
	// The lock statement serialises appenders across processes: an
	// advisory lock per schema on Postgres; on SQLite a write that changes
	// nothing takes the database's write lock at once, so that reading the
	// end of the chain and inserting after it cannot interleave.
	lockSQL := `DELETE FROM audit_records WHERE 0 = 1`
	if d == Postgres {
		lockSQL = `SELECT pg_advisory_xact_lock(hashtext('ticketsum audit append ' || coalesce(current_schema(), '')))`
	}
	var st trailStmts
	var err error
	if st.lock, err = db.PrepareContext(ctx, lockSQL); err != nil {
		return nil, err
	}
	if st.last, err = db.PrepareContext(ctx, `SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1`); err != nil {
		st.lock.Close()
		return nil, err
	}
	st.insert, err = db.PrepareContext(ctx, d.Rebind(`INSERT INTO audit_records (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		st.lock.Close()
		st.last.Close()
		return nil, err
	}
	w.stmts = &st
	return w.stmts, nil
}

func insertEvent(ctx context.Context, st *sql.Stmt, e *Event) error {
	_, err := st.ExecContext(ctx, eventArgs(e)...)
	return err
}

// eventArgs are e's values in eventColumns order.
func eventArgs(e *Event) []any {
	flags, _ := json.Marshal(nonNilFlags(e.Flags))
	details, _ := json.Marshal(nonNilDetails(e.Details))
	return []any{e.Seq, e.Time.UnixMicro(), e.Kind, e.Actor, e.Action, e.Target, e.RequestID, e.TicketID, e.ProductLine, e.UseCase,
		e.Outcome, e.ErrorCode, e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheWriteTokens, e.CostMicros,
		string(flags), string(details), e.PrevHash, e.Hash}
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
