package queue_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/storetest"
)

// lostConfig is the queue config of both processes of
// TestKilledWorkersBatchesRunAgain: River's rescue is an hour away, so
// that only the heartbeat can bring the jobs back within the test.
func lostConfig(batch queue.BatchHandler) queue.Config {
	return testConfig(queue.Config{Handler: func(context.Context, string) error { return nil }, Batch: batch,
		BatchSize: 2, Workers: 2, JobTimeout: time.Hour, RescueAfter: time.Hour, LostAfter: time.Second})
}

// TestHelperKilledWorker is the worker process that
// TestKilledWorkersBatchesRunAgain kills: it takes the batch jobs, prints
// "holding" for each and never finishes one.
func TestHelperKilledWorker(t *testing.T) {
	spec := os.Getenv("TICKETSUM_QUEUE_HELPER")
	if spec == "" {
		t.Skip("run by TestKilledWorkersBatchesRunAgain")
	}
	ctx := context.Background()
	hold := func(_ context.Context, items []queue.Item) ([]error, error) {
		fmt.Printf("holding %d\n", len(items))
		select {}
	}
	q, err := helperQueue(ctx, spec, lostConfig(hold))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {}
}

// helperQueue opens the store of spec ("sqlite:PATH" or "postgres:URL
// SCHEMA") and a queue on it.
func helperQueue(ctx context.Context, spec string, cfg queue.Config) (queueOps, error) {
	if path, ok := strings.CutPrefix(spec, "sqlite:"); ok {
		s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
		if err != nil {
			return nil, err
		}
		return queue.NewSQLite(ctx, s, cfg)
	}
	url, schema, _ := strings.Cut(strings.TrimPrefix(spec, "postgres:"), " ")
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema, MaxConns: 8})
	if err != nil {
		return nil, err
	}
	return queue.NewPostgres(ctx, s, cfg)
}

// TestKilledWorkersBatchesRunAgain: a worker process holding two batch
// jobs is SIGKILLed. Both jobs show as stalled, with the time they will be
// back by, and both run again on another worker long before River's
// rescue (an hour here; six minutes by default, counted from each job's
// start, so that the later of two jobs stalled longest): every ticket is
// summarised once. On SQLite and Postgres.
func TestKilledWorkersBatchesRunAgain(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "q.db")
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		killedWorkerRunsAgain(t, s, "sqlite:"+path, func(cfg queue.Config) (queueOps, error) {
			return queue.NewSQLite(context.Background(), s, cfg)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		h := mustPostgres(t)
		s := h.store.(*postgres.Store)
		url := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
		killedWorkerRunsAgain(t, s, "postgres:"+url+" "+s.Schema(), func(cfg queue.Config) (queueOps, error) {
			return queue.NewPostgres(context.Background(), s, cfg)
		})
	})
}

// queueOps is what killedWorkerRunsAgain uses of a queue, of either driver.
type queueOps interface {
	ImportMany(ctx context.Context, tickets []*ticketsum.Ticket) ([]bool, []error, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Stats(ctx context.Context) (queue.Stats, error)
	ListStalled(ctx context.Context) ([]queue.Stalled, error)
	WaitIdle(ctx context.Context) error
}

var (
	_ queueOps = (*queue.Queue[*sql.Tx])(nil)
	_ queueOps = (*queue.Queue[pgx.Tx])(nil)
)

func killedWorkerRunsAgain(t *testing.T, store ticketsum.TicketStore, spec string, newQueue func(queue.Config) (queueOps, error)) {
	ctx := context.Background()
	var mu sync.Mutex
	done := map[string]int{}
	live, err := newQueue(lostConfig(func(_ context.Context, items []queue.Item) ([]error, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			done[it.TicketID]++
		}
		return make([]error, len(items)), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Stop(ctx) })
	ids := []string{"k1", "k2", "k3", "k4"}
	var tickets []*ticketsum.Ticket
	for _, id := range ids {
		tickets = append(tickets, storetest.MustTicket(t, id))
	}
	if _, _, err := live.ImportMany(ctx, tickets); err != nil { // two batch jobs of two
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperKilledWorker$")
	cmd.Env = append(os.Environ(), "TICKETSUM_QUEUE_HELPER="+spec)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	for held := 0; held < 2; {
		if !lines.Scan() {
			t.Fatalf("the worker process ended before it held both batches: %v", lines.Err())
		}
		if strings.HasPrefix(lines.Text(), "holding") {
			held++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// An operator looking now sees two running jobs that nobody runs:
	// they say so, and by when they will run again.
	waitFor(t, "the killed worker's jobs shown as stalled", func() bool {
		st, err := live.Stats(ctx)
		return err == nil && st.Running == 2 && st.Stalled == 2
	})
	st, err := live.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.RescueBy.IsZero() || st.RescueBy.After(time.Now().Add(time.Hour)) {
		t.Errorf("stalled jobs back by %v; want within the heartbeat's bound, not River's hour", st.RescueBy)
	}
	stalled, err := live.ListStalled(ctx)
	if err != nil || len(stalled) != 2 || stalled[0].Tickets != 2 || stalled[1].Tickets != 2 {
		t.Fatalf("stalled = %+v, %v; want both batch jobs of two tickets", stalled, err)
	}

	if err := live.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second) // a hang guard: River's rescue is an hour away
	defer cancel()
	if err := live.WaitIdle(wctx); err != nil {
		t.Fatalf("the killed worker's jobs did not run again: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if done[id] != 1 {
			t.Errorf("ticket %s summarised %d times by the live worker, want once", id, done[id])
		}
	}
}

// skewedClock is the system clock moved by d: a host whose clock is off.
type skewedClock struct{ d time.Duration }

func (c skewedClock) Now() time.Time { return time.Now().Add(c.d) }

// A worker on a host whose clock runs an hour ahead sees every other
// worker's heartbeat as an hour old. It must not take a live worker's job
// for that: the job would run twice, and the model be paid twice.
func TestWorkerWithSkewedClockLeavesLiveWorkersJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "q.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var mu sync.Mutex
	done := map[string]int{}
	held, release := make(chan struct{}, 1), make(chan struct{})
	holder, err := queue.NewSQLite(ctx, s, lostConfig(func(_ context.Context, items []queue.Item) ([]error, error) {
		held <- struct{}{}
		<-release
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			done[it.TicketID]++
		}
		return make([]error, len(items)), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Stop(ctx) })
	if _, _, err := holder.ImportMany(ctx, []*ticketsum.Ticket{storetest.MustTicket(t, "s1"), storetest.MustTicket(t, "s2")}); err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(ctx); err != nil {
		t.Fatal(err)
	}
	<-held

	ahead := lostConfig(func(_ context.Context, items []queue.Item) ([]error, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			done[it.TicketID] += 100 // run again by the wrong worker
		}
		return make([]error, len(items)), nil
	})
	ahead.Clock = skewedClock{time.Hour}
	skewed, err := queue.NewSQLite(ctx, s, ahead)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { skewed.Stop(ctx) })
	if err := skewed.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Five times LostAfter: the skewed worker looks every LostAfter/3, so
	// it has looked about fifteen times at the live worker's heartbeat.
	time.Sleep(5 * ahead.LostAfter)
	close(release)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := holder.WaitIdle(wctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range []string{"s1", "s2"} {
		if done[id] != 1 {
			t.Errorf("ticket %s: count %d, want 1 (run once, by the worker that held it)", id, done[id])
		}
	}
}
