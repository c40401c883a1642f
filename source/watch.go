package source

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketsum/ticketsum"
)

// PollResult says what one poll did.
type PollResult struct {
	Counts
	// Standby is true when another watcher holds this source's lock: it does
	// the work and this one waits.
	Standby bool
}

// Poll copies every ticket changed since the watermark into ticketsum's
// store, page by page, enqueueing the changed threads (debounced), and
// advances the watermark with them. The first poll of a source starts
// from the clock's time: earlier tickets are for Backfill. Only one watcher
// of a source polls at a time (an advisory lock); the others report
// Standby. It returns EUNAVAILABLE when the database fails; the watermark
// then stays at the last ticket copied.
func (s *Source) Poll(ctx context.Context) (PollResult, error) {
	var res PollResult
	if s.cfg.Enqueue == nil {
		return res, ticketsum.Errorf(ticketsum.EINVALID, "source: no Enqueue configured")
	}
	unlock, ok, err := s.tryLock(ctx, "watch")
	if err != nil || !ok {
		res.Standby = !ok
		return res, err
	}
	defer unlock()
	name := s.cfg.Name + "/watch"
	c, found, err := s.loadCursor(ctx, name)
	if err != nil {
		return res, err
	}
	if !found {
		c.pos = position{At: s.cfg.Clock.Now().UTC()}
		if err := s.saveCursor(ctx, s.pool, c); err != nil {
			return res, err
		}
		s.cfg.Logger.InfoContext(ctx, "source watermark started", "source", s.cfg.Name, "at", c.pos.At)
	}
	for {
		page, err := s.page(ctx, c.pos, s.cfg.BatchSize)
		if err != nil {
			return res, err
		}
		n, err := s.apply(ctx, &c, page, true)
		res.add(n)
		if err != nil {
			return res, err
		}
		if len(page) < s.cfg.BatchSize {
			break
		}
	}
	if err := s.pruneDebounce(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// Watch polls until ctx ends: every PollInterval, and at once when the
// NOTIFY trigger (see InstallTrigger) signals a change. Database failures
// are logged and retried at the next poll; Watch returns nil when ctx ends
// and an error only for a bad configuration.
func (s *Source) Watch(ctx context.Context) error {
	if s.cfg.Enqueue == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "source: no Enqueue configured")
	}
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() { defer close(done); s.listen(ctx, wake) }()
	defer func() { <-done }()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-wake:
		}
		res, err := s.Poll(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID:
			return err
		case err != nil:
			s.cfg.Logger.WarnContext(ctx, "source poll failed; retrying at the next poll", "source", s.cfg.Name, "code", string(ticketsum.ErrorCodeOf(err)), "err", ticketsum.ErrorMessage(err))
		case res.Seen > 0:
			s.cfg.Logger.InfoContext(ctx, "source changes copied", "source", s.cfg.Name, "seen", res.Seen, "queued", res.Queued, "unchanged", res.Unchanged, "skipped", res.Skipped)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(s.cfg.PollInterval)
	}
}

// listen waits for notifications on the source's channel and signals wake,
// reconnecting after failures, until ctx ends.
func (s *Source) listen(ctx context.Context, wake chan<- struct{}) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		s.cfg.Logger.DebugContext(ctx, "source listen connection lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (s *Source) listenOnce(ctx context.Context, wake chan<- struct{}) error {
	// On the store's pool: LISTEN is refused in a read-only transaction.
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+s.cfg.Channel); err != nil {
		return err
	}
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	signal() // catch up on changes made while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		signal()
	}
}

// tryLock takes the source's session advisory lock for role on a
// connection of its own, and returns its release. A lost connection
// releases the lock with it.
func (s *Source) tryLock(ctx context.Context, role string) (func(), bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, translate(err, "take source lock")
	}
	key := "ticketsum source " + s.store.Schema() + " " + s.cfg.Name + " " + role
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, translate(err, "take source lock")
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return func() { unlock(conn, key) }, true, nil
}

func unlock(conn *pgxpool.Conn, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil && !errors.Is(err, context.Canceled) {
		// The lock may still be held: drop the connection, which frees it.
		conn.Hijack().Close(ctx)
		return
	}
	conn.Release()
}
