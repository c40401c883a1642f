package audit

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// maxBatch caps the events of one group commit: 1<<maxBatchLog.
const (
	maxBatchLog = 8
	maxBatch    = 1 << maxBatchLog
)

// writer group-commits appends: callers queue their event and wait; one
// goroutine at a time takes everything queued and commits it in one
// transaction. No lock is held across I/O: the mutex guards the queue only.
type writer struct {
	t *Trail

	mu      sync.Mutex
	queue   []pendingEvent
	running bool
	idle    *sync.Cond // signalled when running turns false
	// lingering, when not nil, wakes the loop goroutine that waits for
	// more events before it exits; submit takes it. linger is how long it
	// waits: lingerFor, shorter in a test.
	lingering chan struct{}
	linger    time.Duration
	// yield is what gather calls to let ready goroutines run first:
	// runtime.Gosched when nil, a hook in a test.
	yield func()

	stmtMu sync.Mutex
	stmts  *trailStmts

	// end is the chain's end as this writer's last commit left it, and
	// stale counts the groups that still read it from the database after
	// another appender moved it. Only the running loop touches them.
	end   chainEnd
	stale int
	// pgInsert caches insertSQL(n, Postgres) by n.
	pgInsert [maxBatch + 1]string
	// conn is, on Postgres, the connection of the group being committed:
	// taken from the pool when the group needs it, returned before the
	// companion learns the outcome (its done may use the pool, which may
	// have no other connection) and when the group is done, or dropped
	// when it breaks.
	conn *sql.Conn
	// inDoubt is the end a group would have left when the connection
	// broke after the group was sent: it may have committed.
	inDoubt chainEnd
	// broke is set when checkConn drops a broken connection.
	broke bool
	// async is set while the running loop commits a group that may
	// return before its WAL flush (CommitAsync on Postgres, invocation
	// records only).
	async bool
}

// chainEnd is the seq and hash of the last record; known is false when
// the end must be read from the database.
type chainEnd struct {
	seq   int64
	hash  string
	known bool
}

// staleGroups is how many groups read the chain's end from the database
// after an insert found the remembered end taken by another appender
// (another process, or a second Trail on the database), so that appenders
// taking turns do not fail one insert per group.
const staleGroups = 64

type pendingEvent struct {
	e    *Event
	done chan error
}

// lingerFor is how long the loop goroutine waits for more events once
// the queue is empty before it exits (writer.linger). A new goroutine
// starts on a small stack, and SQLite's code (modernc.org/sqlite) grew it
// again, a copy per doubling, in every group: 2% of serve's CPU on SQLite.
const lingerFor = time.Second

// submit queues e and returns the channel its commit result arrives on.
func (w *writer) submit(e *Event) <-chan error {
	done := make(chan error, 1)
	w.mu.Lock()
	w.queue = append(w.queue, pendingEvent{e, done})
	start := !w.running
	w.running = true
	wake := w.lingering
	if start {
		w.lingering = nil
	}
	w.mu.Unlock()
	switch {
	case start && wake != nil:
		wake <- struct{}{} // buffered: the lingering loop takes it
	case start:
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

// loop commits batches until the queue is empty, then waits up to
// w.linger for submit to wake it, and exits if it does not.
func (w *writer) loop() {
	var timer *time.Timer
	for {
		w.mu.Lock()
		n := min(len(w.queue), maxBatch)
		if n == 0 {
			w.running = false
			w.queue = nil
			if w.idle != nil {
				w.idle.Broadcast()
			}
			wake := make(chan struct{}, 1)
			w.lingering = wake
			w.mu.Unlock()
			if timer == nil {
				timer = time.NewTimer(w.linger)
			} else {
				timer.Reset(w.linger)
			}
			select {
			case <-wake:
				timer.Stop()
				continue
			case <-timer.C:
			}
			w.mu.Lock()
			if w.lingering == wake { // not taken: exit
				w.lingering = nil
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
			<-wake // taken by a submit as the timer fired
			continue
		}
		if w.t.cfg.Dialect == SQLite && w.t.calls.Load() >= gatherCalls {
			n = w.gather(n)
		}
		batch := make([]pendingEvent, n)
		copy(batch, w.queue)
		w.queue = w.queue[n:]
		w.mu.Unlock()

		w.async = w.lostEndPossible() && onlyInvocations(batch)
		var c staged
		if sc, ok := w.t.companion.(StatementCompanion); ok && w.t.cfg.Dialect == Postgres {
			// After taking the batch: whatever the companion queued before
			// these events were submitted is staged with them.
			c.write, c.queue, c.done = sc.StageStatements()
		} else if w.t.companion != nil {
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

// gatherYields bounds how many times the loop yields its processor
// before it takes a group (writer.gather).
const gatherYields = 4

// gatherCalls is how many model calls must be under way (Trail.calls)
// for the loop to gather before it takes a group on SQLite.
const gatherCalls = 4

// gather, called with w.mu held and n events queued, lets the goroutines
// that are ready to run go first, so that the appends they are about to
// make join this group instead of each paying a commit of their own: it
// yields the processor (runtime.Gosched) while the queue grows, up to
// gatherYields times, and returns how many events the group takes. The
// loop gathers on SQLite only while at least gatherCalls model calls are
// under way (a sign that appends come faster than groups commit; about
// 0.2% of the time at 500 requests/s of 1 ms), so that a lone append is
// committed at once. Under load a group commit's cost (BEGIN, the
// budget's writes, COMMIT and their WAL frames) is then shared by several
// events: about 9 instead of 2 in serve's closed loop; gathering only
// after a group of more than one event kept groups at about 3
// (docs/performance.md). On Postgres a group's commit is a round trip to
// another process, during which the next group already gathers; yielding
// there was not measured to help.
func (w *writer) gather(n int) int {
	yield := w.yield
	if yield == nil {
		yield = runtime.Gosched
	}
	for range gatherYields {
		if n >= maxBatch {
			break
		}
		w.mu.Unlock()
		yield()
		w.mu.Lock()
		m := min(len(w.queue), maxBatch)
		if m == n {
			break
		}
		n = m
	}
	return n
}

// staged is a companion's share of one group commit; zero when it has
// nothing queued.
type staged struct {
	write func(context.Context, *sql.Tx) error
	// queue, when not nil, adds the same writes as statements to a
	// pipelined group commit (StatementCompanion).
	queue func(add func(query string, args ...any))
	done  func(error)
}

// commit writes batch (and c, in the same transaction) and returns each
// event's result. When the batch as a whole fails for a reason other than
// contention, c is handed back to its companion (which writes it later)
// and each event is retried on its own, so that one bad event does not
// fail the others.
func (w *writer) commit(ctx context.Context, batch []pendingEvent, c staged) []error {
	errs := make([]error, len(batch))
	defer w.releaseConn()
	err := w.commitRetrying(ctx, batch, c)
	w.releaseConn()
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
	var again bool
	for attempt := range 8 {
		remembered := w.end.known && w.stale == 0
		if again, err = w.try(ctx, batch, c); again {
			continue
		}
		if err == nil || !contention(err) {
			return err
		}
		if remembered {
			// Another appender moved the end: read it and retry at once.
			w.stale = staleGroups
			if again, err = w.try(ctx, batch, c); again {
				continue
			}
			if err == nil || !contention(err) {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// try runs commitOnce. When the connection broke before the group's
// COMMIT was sent, nothing was kept: again, send it on a new connection.
// When it broke after, try looks on a new connection whether the group
// committed (nil) or not (again).
func (w *writer) try(ctx context.Context, batch []pendingEvent, c staged) (again bool, err error) {
	w.broke = false
	err = w.commitOnce(ctx, batch, c)
	if err == nil || w.t.cfg.Dialect != Postgres {
		return false, err
	}
	w.checkConn() // a broken connection is replaced for the next try
	if !w.broke {
		return false, err
	}
	if !w.inDoubt.known {
		return true, err
	}
	d := w.inDoubt
	w.inDoubt = chainEnd{}
	committed, cerr := w.committed(ctx, d)
	switch {
	case cerr != nil:
		return false, errors.Join(err, cerr)
	case committed:
		w.end = d
		return false, nil
	}
	return true, err
}

// onlyInvocations reports whether batch holds model calls' records only:
// a group with an admin event waits for the WAL flush whatever the
// setting, so that an access change never outlives its record.
func onlyInvocations(batch []pendingEvent) bool {
	for _, p := range batch {
		if p.e.Kind != KindInvocation {
			return false
		}
	}
	return true
}

// lostEndPossible reports whether a crash of the database can take back
// groups whose appends returned (CommitAsync on Postgres), so that the
// chain's end this writer remembers may be gone: its groups check the end
// is still there before building on it.
func (w *writer) lostEndPossible() bool {
	return w.t.cfg.Commit == CommitAsync && w.t.cfg.Dialect == Postgres
}

// errEndLost is the pipelined group commit's error when the chain's end
// it was hashed after is not in the trail: an asynchronous commit that a
// crash of the database took back. contention reports it, so that the
// group is hashed again after the end the database holds.
var errEndLost = errors.New("the audit chain's remembered end is not in the database (lost in a crash of the database?)")

// contention reports whether err is a lost race that a retry can win.
func contention(err error) bool {
	if errors.Is(err, errEndLost) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "locked") || strings.Contains(s, "busy") || strings.Contains(s, "unique") ||
		strings.Contains(s, "duplicate") || strings.Contains(s, "23505") || strings.Contains(s, "40001")
}

// commitOnce appends batch to the chain in one transaction: it takes the
// append lock, writes the companion's share, reads the end of the chain
// and inserts each event after it. The end this writer's last commit left
// is not read again: an insert after an end that another appender has
// moved meanwhile fails on the primary key of seq (contention, which
// commitRetrying retries reading the end), so the chain stays intact. On
// SQLite the lock is then the first write's, so a group is BEGIN, the
// companion's writes, the inserts and COMMIT. On Postgres with
// CommitAsync the end is always read (it may have been lost), and the
// lock statement also sets synchronous_commit off for an async group.
func (w *writer) commitOnce(ctx context.Context, batch []pendingEvent, c staged) error {
	end := w.end
	w.end = chainEnd{} // known again only after a commit
	w.inDoubt = chainEnd{}
	if w.stale > 0 {
		end.known = false
		w.stale--
	}
	st, err := w.prepared(ctx, len(batch))
	if err != nil {
		return err
	}
	pg := w.t.cfg.Dialect == Postgres
	var tx *sql.Tx
	if pg {
		conn, err := w.dedicated(ctx)
		if err != nil {
			return err
		}
		if end.known && (c.write == nil || c.queue != nil) {
			return w.commitPipelined(ctx, conn, batch, c, end)
		}
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return err
		}
		if w.lostEndPossible() {
			end.known = false
		}
	} else if tx, err = w.t.cfg.DB.BeginTx(ctx, nil); err != nil {
		return err
	}
	defer tx.Rollback()
	// On SQLite the companion's writes take the write lock as the lock
	// statement would; on Postgres the advisory lock comes first (every
	// process takes it before any row lock of the companion's).
	switch {
	case pg && w.async:
		if _, err := tx.ExecContext(ctx, pgAsyncLockSQL); err != nil {
			return err
		}
	case pg || (c.write == nil && !end.known):
		if _, err := tx.StmtContext(ctx, st.lock).ExecContext(ctx); err != nil {
			return err
		}
	}
	if c.write != nil {
		if err := c.write(ctx, tx); err != nil {
			return err
		}
	}
	last, prev := end.seq, end.hash
	if !end.known {
		last, prev = 0, GenesisHash
		err = tx.StmtContext(ctx, st.last).QueryRowContext(ctx).Scan(&last, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	next := chain(batch, chainEnd{seq: last, hash: prev})
	last, prev = next.seq, next.hash
	if pg {
		// One statement for the group: on Postgres each statement is a
		// round trip, and a group holds up to maxBatch events.
		err = w.insertEvents(ctx, tx, batch)
	} else {
		err = w.insertChunks(ctx, tx, st, batch)
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		if pg && w.checkConn() {
			w.inDoubt = chainEnd{seq: last, hash: prev, known: true}
		}
		return err
	}
	w.end = chainEnd{seq: last, hash: prev, known: true}
	return nil
}

// chain sets batch's events' Seq, PrevHash and Hash after end and returns
// the end they leave.
func chain(batch []pendingEvent, end chainEnd) chainEnd {
	last, prev := end.seq, end.hash
	for _, p := range batch {
		e := p.e
		e.Seq, e.PrevHash = last+1, prev
		e.Hash = e.ComputeHash()
		last, prev = e.Seq, e.Hash
	}
	return chainEnd{seq: last, hash: prev, known: true}
}

// commitPipelined appends batch after end, the chain's end this writer's
// last commit left, on Postgres in one round trip: BEGIN, the append lock,
// the companion's statements, the multi-row INSERT and COMMIT go out as
// one pgx batch on conn, and the server runs them in order. An error
// skips the rest up to the batch's end, COMMIT included, so nothing of
// the group is kept (the transaction left aborted is rolled back). When
// another appender has moved the end, the INSERT fails on seq's primary
// key (contention: commitRetrying retries reading the end). The COMMIT
// waits for its WAL flush, unless the group is async: then the lock
// statement sets synchronous_commit off for the transaction. With
// CommitAsync the lock statement also checks that end is still in the
// trail (pgEndThereColumn), and the batch fails with errEndLost when a crash
// of the database took it back.
func (w *writer) commitPipelined(ctx context.Context, conn *sql.Conn, batch []pendingEvent, c staged, end chainEnd) error {
	next := chain(batch, end)
	q := w.pgInsert[len(batch)]
	if q == "" {
		q = insertSQL(len(batch), Postgres)
		w.pgInsert[len(batch)] = q
	}
	var b pgx.Batch
	b.Queue(`BEGIN`)
	switch {
	case w.async: // only with CommitAsync, which also checks the end
		b.Queue(pgAsyncLockSQL+pgEndThereColumn, end.seq, end.hash)
	case w.lostEndPossible():
		b.Queue(pgLockSQL+pgEndThereColumn, end.seq, end.hash)
	default:
		b.Queue(pgLockSQL)
	}
	if c.queue != nil {
		c.queue(func(q string, args ...any) { b.Queue(q, args...) })
	}
	b.Queue(q, batchArgs(batch)...)
	b.Queue(`COMMIT`)
	sent := false
	err := conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		sent = true
		err := pc.SendBatch(ctx, &b).Close()
		if err != nil && !pc.IsClosed() && pc.PgConn().TxStatus() != 'I' {
			if _, rerr := pc.Exec(ctx, `ROLLBACK`); rerr != nil {
				pc.Close(ctx) // a connection in an unknown state is not reused
			}
		}
		return err
	})
	if err != nil {
		if w.checkConn() && sent {
			w.inDoubt = next
		}
		if pe := (*pgconn.PgError)(nil); w.lostEndPossible() && errors.As(err, &pe) && pe.Code == divisionByZero {
			return errors.Join(errEndLost, err)
		}
		return err
	}
	w.end = next
	return nil
}

// dedicated returns the connection of the group being committed, taking
// one from the pool if it has none.
func (w *writer) dedicated(ctx context.Context) (*sql.Conn, error) {
	if w.conn != nil {
		return w.conn, nil
	}
	conn, err := w.t.cfg.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w.conn = conn
	return conn, nil
}

// checkConn drops the group's connection if it is broken (the pool then
// discards it, and the next group takes another) and reports whether it
// did.
func (w *writer) checkConn() bool {
	if w.conn == nil {
		return false
	}
	broken := false
	err := w.conn.Raw(func(dc any) error {
		if c, ok := dc.(*stdlib.Conn); ok {
			broken = c.Conn().IsClosed()
		}
		return nil
	})
	if err != nil || broken {
		w.releaseConn()
		w.broke = true
		return true
	}
	return false
}

// releaseConn returns the group's connection to the pool.
func (w *writer) releaseConn() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// committed reports whether the group that would have left end is in the
// trail: whether the record at end's seq has end's hash, which covers the
// record's content and the chain before it.
// A connection that broke may have company in the pool (a restarted
// server), so the look is tried three times.
func (w *writer) committed(ctx context.Context, end chainEnd) (bool, error) {
	var err error
	for range 3 {
		var hash string
		err = w.t.cfg.DB.QueryRowContext(ctx, `SELECT hash FROM audit_records WHERE seq = $1`, end.seq).Scan(&hash)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err == nil {
			return hash == end.hash, nil
		}
	}
	return false, err
}

// pgLockSQL takes the append lock on Postgres: an advisory lock per
// schema, held until the transaction ends.
const pgLockSQL = `SELECT pg_advisory_xact_lock(hashtext('ticketsum audit append ' || coalesce(current_schema(), '')))`

// pgAsyncLockSQL is pgLockSQL that also sets synchronous_commit off for
// the transaction (set_config with is_local true is SET LOCAL), in the
// same statement, so that an async group costs no extra round trip.
const pgAsyncLockSQL = `SELECT pg_advisory_xact_lock(hashtext('ticketsum audit append ' || coalesce(current_schema(), ''))), set_config('synchronous_commit', 'off', true)`

// pgEndThereColumn, appended to a lock statement's column list, fails the
// statement with a division by zero when the record at seq $1 with hash
// $2 is not in the trail; in a pipeline only an error stops the
// statements queued after it. It is a column of the lock statement rather
// than a statement of its own (one statement fewer per group commit: 0.03
// ms of a 0.2 ms group at load 8, docs/performance.md); whether it runs
// before or after the lock does not matter, since only a crash of the
// database, which also ends the transaction, takes a committed record
// away.
const pgEndThereColumn = `, 1 / (SELECT count(*) FROM audit_records WHERE seq = $1 AND hash = $2)`

// divisionByZero is Postgres's SQLSTATE for pgEndThereColumn's failure.
const divisionByZero = "22012"

// eventColumns are the columns of audit_records in insert order.
const eventColumns = `seq, at, kind, actor, action, target, request_id, ticket_id,
		product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
		cost_micros, flags, details, prev_hash, hash`

// numEventColumns is how many columns eventColumns names.
const numEventColumns = 21

// insertEvents inserts batch in one multi-row INSERT (Postgres
// placeholders; the driver caches the statement of each group size).
func (w *writer) insertEvents(ctx context.Context, tx *sql.Tx, batch []pendingEvent) error {
	q := w.pgInsert[len(batch)]
	if q == "" {
		q = insertSQL(len(batch), Postgres)
		w.pgInsert[len(batch)] = q
	}
	_, err := tx.ExecContext(ctx, q, batchArgs(batch)...)
	return err
}

// insertChunks inserts batch with the prepared multi-row INSERTs of
// SQLite, one per set bit of len(batch), largest first: a group of 13 is
// three statements, of 8, 4 and 1 rows.
func (w *writer) insertChunks(ctx context.Context, tx *sql.Tx, st *trailStmts, batch []pendingEvent) error {
	for len(batch) > 0 {
		i := bits.Len(uint(len(batch))) - 1
		n := 1 << i
		if _, err := tx.StmtContext(ctx, st.insert[i]).ExecContext(ctx, batchArgs(batch[:n])...); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// insertSQL is the INSERT of n events in dialect d.
func insertSQL(n int, d Dialect) string {
	var q strings.Builder
	q.Grow(n*numEventColumns*6 + 300)
	q.WriteString(`INSERT INTO audit_records (` + eventColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range numEventColumns {
			if j > 0 {
				q.WriteByte(',')
			}
			if d == Postgres {
				q.WriteByte('$')
				q.WriteString(strconv.Itoa(i*numEventColumns + j + 1))
			} else {
				q.WriteByte('?')
			}
		}
		q.WriteByte(')')
	}
	return q.String()
}

// batchArgs are the values of batch's events in insertSQL order.
func batchArgs(batch []pendingEvent) []any {
	args := make([]any, 0, len(batch)*numEventColumns)
	for _, p := range batch {
		args = appendEventArgs(args, p.e)
	}
	return args
}

// trailStmts are the prepared statements of the append path: on SQLite
// insert[i] inserts 1<<i events, prepared when a group first needs it.
type trailStmts struct {
	lock, last *sql.Stmt
	insert     [maxBatchLog + 1]*sql.Stmt
}

// prepared returns the append statements, preparing them on first use
// (after Migrate) together with the inserts a group of n needs; a failure
// is not kept, so that the next call retries. It runs before the
// transaction begins: on a pool of one connection, preparing within it
// would wait for that connection.
func (w *writer) prepared(ctx context.Context, n int) (*trailStmts, error) {
	w.stmtMu.Lock()
	defer w.stmtMu.Unlock()
	db, d := w.t.cfg.DB, w.t.cfg.Dialect
	if w.stmts == nil {
		// The lock statement serialises appenders across processes: an
		// advisory lock per schema on Postgres; on SQLite a write that
		// changes nothing takes the database's write lock at once, so that
		// reading the end of the chain and inserting after it cannot
		// interleave.
		lockSQL := `DELETE FROM audit_records WHERE 0 = 1`
		if d == Postgres {
			lockSQL = pgLockSQL
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
		w.stmts = &st
	}
	if d == Postgres {
		return w.stmts, nil
	}
	for i := range w.stmts.insert {
		if n&(1<<i) == 0 || w.stmts.insert[i] != nil {
			continue
		}
		st, err := db.PrepareContext(ctx, insertSQL(1<<i, d))
		if err != nil {
			return nil, err
		}
		w.stmts.insert[i] = st
	}
	return w.stmts, nil
}

// appendEventArgs appends e's values in eventColumns order; flags and
// details as encoding/json writes them (nil as [] and {}).
func appendEventArgs(args []any, e *Event) []any {
	return append(args, e.Seq, e.Time.UnixMicro(), e.Kind, e.Actor, e.Action, e.Target, e.RequestID, e.TicketID, e.ProductLine, e.UseCase,
		e.Outcome, e.ErrorCode, e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheWriteTokens, e.CostMicros,
		string(appendJSONStrings(nil, e.Flags)), string(appendJSONStringMap(nil, e.Details)), e.PrevHash, e.Hash)
}
