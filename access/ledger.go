package access

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// ledger is this process's share of the budgets. For each principal's
// month it holds a lease: headroom the database holds for this process
// (in the month's reserved), granted by a conditional UPDATE that keeps
// spent + reserved within the budget across every process. Calls reserve
// from the lease in memory and settle into it in memory; a durable write
// happens only to extend the lease (the caller waits for it), and to flush
// settled spend and hand back unused headroom, in group commits: whatever
// queued while the previous commit ran goes into the next one, at most
// three statements per lease whatever the number of calls.
//
// Settled spend is written by the ledger's own writer, or, when a trail
// stages it (Stage), in the trail's group commit together with the calls'
// records. No lock is held across I/O except flushMu, which serialises
// flushes (stage to done) and which no call takes.
type ledger struct {
	store    Store
	logger   *slog.Logger
	clock    ticketsum.Clock
	holder   string
	fraction float64
	// staleAfter is when other processes may release a lease not renewed:
	// a lease is reserved from only while renewed within half of it.
	staleAfter time.Duration
	// tx writes a flush in a caller's transaction; nil when the store is
	// not an SQLStore (Stage then stages nothing).
	tx *SQLStore

	flushMu sync.Mutex // held from stage to done

	mu       sync.Mutex
	leases   map[budgetKey]*lease
	seq      int
	grants   int       // grants queued
	attached bool      // a trail stages settlements: the writer is not woken for them
	renewed  time.Time // when RenewLeases last renewed every lease
	running  bool
	idle     chan struct{} // closed when the writer stops; nil while none runs
	failures int           // consecutive failed commits
}

// lease is this process's lease on one principal's month, in micro-dollars.
type lease struct {
	id  string
	key budgetKey
	// held is what the database holds for the lease as of the last commit.
	held int64
	// inflight is reserved by calls not settled yet.
	inflight int64
	// spent and consumed are settled since the last staged flush (cost,
	// and cost up to each call's reservation); release is headroom to
	// hand back; staged is consumed + release taken by the flush in
	// progress.
	spent, consumed, release, staged int64
	// grant is the extension queued or in progress, nil if none.
	grant   *grant
	lastUse time.Time
	// renewed is when a commit last wrote the lease.
	renewed time.Time
}

// avail is the headroom calls may still reserve.
func (l *lease) avail() int64 { return l.held - l.inflight - l.consumed - l.release - l.staged }

// empty reports whether the lease holds and owes nothing.
func (l *lease) empty() bool {
	return l.held == 0 && l.inflight == 0 && l.spent == 0 && l.consumed == 0 && l.release == 0 && l.staged == 0 && l.grant == nil
}

// grant is a queued extension of a lease.
type grant struct {
	want, min, limit int64
	// need is the reservation of the call that asked: done reserves it
	// from the extension, unless the call stopped waiting (abandoned).
	need                int64
	reserved, abandoned bool
	granted             int64
	err                 error
	done                chan struct{}
}

// staged is one flush: the writes and the leases they belong to.
type staged struct {
	f      *BudgetFlush
	leases []*lease
	grants []*grant
}

// newLedger returns the ledger of one process (holder is random).
func newLedger(store Store, clock ticketsum.Clock, logger *slog.Logger, fraction float64, staleAfter time.Duration) *ledger {
	var b [8]byte
	rand.Read(b[:])
	l := &ledger{store: store, logger: logger, clock: clock, holder: hex.EncodeToString(b[:]), fraction: fraction,
		staleAfter: staleAfter, leases: map[budgetKey]*lease{}}
	l.tx, _ = store.(*SQLStore)
	return l
}

// reserve holds need of k's budget (limit) for a call: from the lease's
// headroom, extending the lease when it has too little. It reports false
// when the budget cannot hold the call.
func (l *ledger) reserve(ctx context.Context, k budgetKey, need, limit int64) (bool, error) {
	l.mu.Lock()
	tried := false
	for {
		// Looked up each time: done drops a lease left empty.
		ls := l.leases[k]
		if ls == nil {
			l.seq++
			ls = &lease{id: l.holder + "-" + strconv.Itoa(l.seq), key: k}
			l.leases[k] = ls
		}
		// A lease not renewed for half of StaleAfter (the database is out
		// of reach) may soon be released by another process: reserve from
		// it only after a write that renews it.
		now := l.clock.Now()
		fresh := now.Sub(ls.renewed) < l.staleAfter/2 || now.Sub(l.renewed) < l.staleAfter/2
		if a := ls.avail(); fresh && a >= need {
			ls.inflight += need
			ls.lastUse = now
			l.mu.Unlock()
			return true, nil
		}
		g := ls.grant
		mine := g == nil
		if mine {
			if tried {
				l.mu.Unlock()
				return false, nil
			}
			tried = true
			short := need - ls.avail()
			if !fresh {
				short = need
			}
			g = &grant{want: max(short, int64(l.fraction*float64(limit))), min: short, limit: limit, need: need, done: make(chan struct{})}
			ls.grant = g
			l.grants++
			l.wakeLocked()
		}
		l.mu.Unlock()
		select {
		case <-g.done:
		case <-ctx.Done():
			if mine {
				l.mu.Lock()
				if g.reserved { // granted meanwhile: give the call's share back
					ls.inflight -= need
				}
				g.abandoned = true
				l.mu.Unlock()
			}
			return false, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "budget reservation cancelled: %w", ctx.Err())
		}
		if g.err != nil {
			return false, g.err
		}
		l.mu.Lock()
		if mine && g.reserved {
			ls.lastUse = l.clock.Now()
			l.mu.Unlock()
			return true, nil
		}
		switch {
		case mine && g.granted > 0:
			tried = false // granted, but others reserved the headroom first: ask again
		case g.granted == 0 && g.min <= need-ls.avail():
			tried = true // what this call lacks was refused just now
		}
	}
}

// renewedAll records that RenewLeases renewed every lease at at.
func (l *ledger) renewedAll(at time.Time) {
	l.mu.Lock()
	l.renewed = at
	l.mu.Unlock()
}

// settle closes a reservation of micros for a call that cost actual.
func (l *ledger) settle(k budgetKey, micros, actual int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls := l.leases[k]
	if ls == nil { // cannot happen: a lease with a call in flight is kept
		l.logger.Error("budget settlement without a lease", "principal", k.principal)
		return
	}
	ls.inflight -= micros
	ls.consumed += min(max(actual, 0), micros)
	ls.spent += actual
	ls.lastUse = l.clock.Now()
	if !l.attached {
		l.wakeLocked()
	}
}

// releaseIdle hands back the headroom of leases unused since before, or of
// every lease when before is zero, and wakes the writer.
func (l *ledger) releaseIdle(before time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ls := range l.leases {
		if a := ls.avail(); a > 0 && (before.IsZero() || ls.lastUse.Before(before)) {
			ls.release += a
		}
		if ls.spent != 0 || ls.release != 0 || ls.consumed != 0 {
			l.wakeLocked()
		}
	}
}

// wakeLocked starts the writer unless it runs. l.mu is held.
func (l *ledger) wakeLocked() {
	if l.running {
		return
	}
	l.running = true
	l.idle = make(chan struct{})
	go l.run()
}

// flush writes everything queued so far (releasing no headroom), or
// waits until ctx ends.
func (l *ledger) flush(ctx context.Context) error {
	l.mu.Lock()
	for _, ls := range l.leases {
		if ls.spent != 0 || ls.consumed != 0 || ls.release != 0 {
			l.wakeLocked()
			break
		}
	}
	idle, running := l.idle, l.running
	l.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the writer: it commits flushes until nothing is queued.
func (l *ledger) run() {
	for {
		s := l.stage()
		if s == nil {
			l.mu.Lock()
			if l.grants == 0 && !l.pendingLocked() {
				l.running = false
				close(l.idle)
				l.mu.Unlock()
				return
			}
			l.mu.Unlock()
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := l.store.CommitBudget(ctx, s.f)
		cancel()
		if l.done(s, err) {
			continue
		}
		l.mu.Lock()
		n := l.failures
		l.mu.Unlock()
		time.Sleep(min(time.Duration(n)*50*time.Millisecond, 5*time.Second))
	}
}

// pendingLocked reports whether settlements or releases wait. l.mu is held.
func (l *ledger) pendingLocked() bool {
	for _, ls := range l.leases {
		if ls.spent != 0 || ls.consumed != 0 || ls.release != 0 {
			return true
		}
	}
	return false
}

// stage takes everything queued into one flush, or returns nil (and
// takes nothing) when nothing is. A non-nil flush must be passed to done.
func (l *ledger) stage() *staged {
	l.flushMu.Lock()
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &staged{f: &BudgetFlush{Holder: l.holder, At: l.clock.Now()}}
	for _, ls := range l.leases {
		g := ls.grant // flushMu is held: a grant is staged by no other flush
		if ls.spent == 0 && ls.consumed == 0 && ls.release == 0 && g == nil {
			continue
		}
		w := &LeaseWrite{ID: ls.id, Principal: ls.key.principal, Period: ls.key.period,
			Spent: ls.spent, Consumed: ls.consumed, Release: ls.release}
		if g != nil {
			w.Want, w.Min, w.Limit = g.want, g.min, g.limit
		}
		// A lease left with nothing (and granted nothing) is deleted: no
		// call can reserve from it without a grant, which a later flush
		// writes.
		w.Close = ls.inflight == 0 && ls.held-ls.consumed-ls.release-ls.staged == 0
		ls.staged += ls.consumed + ls.release
		ls.spent, ls.consumed, ls.release = 0, 0, 0
		s.f.Leases = append(s.f.Leases, w)
		s.leases = append(s.leases, ls)
		s.grants = append(s.grants, g)
	}
	if len(s.f.Leases) == 0 {
		l.flushMu.Unlock()
		return nil
	}
	return s
}

// done applies the outcome of a staged flush and reports whether it was
// written. A failed flush's settlements and releases are queued again;
// its grants fail.
func (l *ledger) done(s *staged, err error) bool {
	defer l.flushMu.Unlock()
	if err != nil {
		l.logger.Error("budget ledger commit failed", "leases", len(s.f.Leases), "err", err)
		err = ticketsum.Errorf(ticketsum.EUNAVAILABLE, "budget ledger unavailable: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		l.failures = 0
	} else {
		l.failures++
	}
	for i, w := range s.f.Leases {
		ls, g := s.leases[i], s.grants[i]
		ls.staged -= w.Consumed + w.Release
		if err == nil {
			ls.held += w.Granted - w.Consumed - w.Release
			ls.renewed = s.f.At
		} else {
			ls.spent += w.Spent
			ls.consumed += w.Consumed
			ls.release += w.Release
		}
		if g != nil {
			g.granted, g.err = w.Granted, err
			if !g.abandoned && ls.avail() >= g.need {
				ls.inflight += g.need
				g.reserved = true
			}
			ls.grant = nil
			l.grants--
			close(g.done)
		}
		if ls.empty() {
			delete(l.leases, ls.key)
		}
	}
	return err == nil
}

// Stage takes the settlements and releases queued in the ledger, for a
// caller that commits them in a transaction of its own on the same
// database (the audit trail's group commit, which then records a call in
// the same transaction as its charge). write writes them within tx; done
// must be called with the outcome once tx has ended (nil after a commit).
// Stage returns nils when nothing is queued or the store is not an
// SQLStore. It may wait for a flush in progress; call it before beginning
// the transaction.
func (s *Service) Stage() (write func(context.Context, *sql.Tx) error, done func(error)) {
	write, _, done = s.StageStatements()
	return write, done
}

// StageStatements is Stage that can also give the writes as statements,
// for a caller that sends its transaction as one pipeline (the audit
// trail's group commit on Postgres): queue, when not nil, adds each
// statement (Postgres placeholders, results not needed) with add, in the
// order they must run; the caller then runs either queue's statements or
// write, not both. queue is nil on SQLite, and when the flush extends a
// lease (an extension's statements depend on each other's results).
func (s *Service) StageStatements() (write func(context.Context, *sql.Tx) error, queue func(add func(query string, args ...any)), done func(error)) {
	l := s.ledger
	if l.tx == nil {
		return nil, nil, nil
	}
	st := l.stage()
	if st == nil {
		return nil, nil, nil
	}
	write = func(ctx context.Context, tx *sql.Tx) error { return l.tx.WriteBudget(ctx, tx, st.f) }
	if stmts, ok := l.tx.flushStatements(st.f); ok {
		queue = func(add func(string, ...any)) {
			for _, q := range stmts {
				add(l.tx.d.Rebind(q.q), q.args...)
			}
		}
	}
	return write, queue, func(err error) {
		l.done(st, err)
		l.tx.PreparePending(context.Background())
		if err != nil {
			l.mu.Lock()
			l.wakeLocked() // the writer retries what failed
			l.mu.Unlock()
		}
	}
}
