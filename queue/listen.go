package queue

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// River's SQLite driver emulates LISTEN/NOTIFY with an outbox table
// (river_notification) that its listener reads every 50ms, whatever
// happens: with the fetch poll, most of an idle worker's CPU. lazyDriver
// gives River a listener that reads it every 50ms only while
// notifications come, backing off to idlePoll when none do, and at once
// when this process has inserted jobs (kick).
const (
	// busyPoll is the listener's interval while notifications arrive.
	busyPoll = 50 * time.Millisecond
	// idlePoll bounds how late another process's jobs are seen by an
	// idle worker.
	idlePoll = time.Second
	// readWait is how long one read of the outbox may take.
	readWait = 40 * time.Millisecond
)

// lazyDriver is River's SQLite driver with a lazyListener.
type lazyDriver struct {
	*riversqlite.Driver
	kick chan struct{}
}

// newLazyDriver wraps River's SQLite driver.
func newLazyDriver(d *riversqlite.Driver) *lazyDriver {
	return &lazyDriver{Driver: d, kick: make(chan struct{}, 1)}
}

// GetListener returns the driver's listener, read lazily.
func (d *lazyDriver) GetListener(params *riverdriver.GetListenenerParams) riverdriver.Listener {
	return &lazyListener{Listener: d.Driver.GetListener(params), kick: d.kick, interval: busyPoll}
}

// wake makes the listener read the outbox now: this process has just
// committed jobs, and River's notification of them is there.
func (d *lazyDriver) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// lazyListener reads River's outbox once per interval: busyPoll after a
// notification, doubling while none comes, up to idlePoll.
type lazyListener struct {
	riverdriver.Listener
	kick     <-chan struct{}
	interval time.Duration
}

// WaitForNotification returns the next notification, or ctx's error.
func (l *lazyListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	for {
		start := time.Now()
		// One read: the driver's listener reads at once, then waits its
		// 50ms, which readWait cuts short.
		rctx, cancel := context.WithTimeout(ctx, readWait)
		n, err := l.Listener.WaitForNotification(rctx)
		cancel()
		if err == nil {
			l.interval = busyPoll
			return n, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		t := time.NewTimer(max(0, l.interval-time.Since(start)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-l.kick:
			t.Stop()
			l.interval = busyPoll
		case <-t.C:
			l.interval = min(2*l.interval, idlePoll)
		}
	}
}
