package queue

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
)

// outbox is a riverdriver.Listener whose reads find the notifications
// queued on it, else wait for ctx as River's SQLite listener does.
type outbox struct {
	riverdriver.Listener
	mu     sync.Mutex
	reads  int
	queued []*riverdriver.Notification
}

func (o *outbox) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	o.mu.Lock()
	o.reads++
	if len(o.queued) > 0 {
		n := o.queued[0]
		o.queued = o.queued[1:]
		o.mu.Unlock()
		return n, nil
	}
	o.mu.Unlock()
	<-ctx.Done()
	return nil, ctx.Err()
}

func (o *outbox) readCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.reads
}

func (o *outbox) queue(n *riverdriver.Notification) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queued = append(o.queued, n)
}

func TestLazyListenerBacksOffAndWakes(t *testing.T) {
	kick := make(chan struct{}, 1)
	inner := &outbox{}
	l := &lazyListener{Listener: inner, kick: kick, interval: busyPoll}

	// Idle: each empty read doubles the interval, up to idlePoll.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	_, err := l.WaitForNotification(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("idle wait: err %v, want the context's deadline", err)
	}
	if l.interval != idlePoll {
		t.Fatalf("after %d empty reads the interval is %v, want %v", inner.readCount(), l.interval, idlePoll)
	}
	// 50ms doubling to 1s reads about 8 times in 4s; River's own
	// listener reads 80 times.
	if r := inner.readCount(); r > 12 {
		t.Fatalf("%d reads of the outbox in 4s idle, want at most 12", r)
	}

	// A kick reads at once and goes back to the busy interval; the
	// notification found is returned.
	before := inner.readCount()
	done := make(chan *riverdriver.Notification)
	go func() {
		n, err := l.WaitForNotification(context.Background())
		if err != nil {
			t.Errorf("wait after kick: %v", err)
		}
		done <- n
	}()
	for inner.readCount() == before {
		time.Sleep(time.Millisecond)
	}
	inner.queue(&riverdriver.Notification{Topic: "river_insert", Payload: "{}"})
	kick <- struct{}{}
	n := <-done
	if n == nil || n.Topic != "river_insert" {
		t.Fatalf("got %+v, want the queued notification", n)
	}
	if l.interval != busyPoll {
		t.Fatalf("interval after a notification %v, want %v", l.interval, busyPoll)
	}
}
