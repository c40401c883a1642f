package cli

import (
	"cmp"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/summarize"
)

// backend is an open store with its queue.
type backend struct {
	store queue.Store
	queue queue.Runner
	// db is the store's database through database/sql, for the packages
	// that keep their own tables beside the store's (review).
	db      *sql.DB
	dialect review.Dialect
}

// openBackend opens the configured store and a queue on it. handler and
// regenerate may be nil for an insert-only queue.
func (w *wiring) openBackend(ctx context.Context, handler queue.Handler, regenerate queue.RegenerateHandler) (*backend, error) {
	qcfg := queue.Config{
		Handler:      handler,
		Regenerate:   regenerate,
		Workers:      w.workerSlots(),
		SnoozeFor:    w.cfg.Worker.ThrottleSnooze,
		JobTimeout:   w.cfg.Worker.JobTimeout,
		RescueAfter:  w.cfg.Worker.RescueAfter,
		PollInterval: w.cfg.Worker.PollInterval,
		Logger:       w.queueLogger(),
		Middleware:   w.queueMiddleware(),
	}
	if handler != nil {
		qcfg.Batch = w.batchHandler()
	}
	if strings.HasPrefix(w.cfg.DB, "postgres://") || strings.HasPrefix(w.cfg.DB, "postgresql://") {
		return w.openPostgres(ctx, qcfg)
	}
	if qcfg.PollInterval == 0 {
		// River notifies SQLite workers of new jobs through a table that
		// the queue reads every 50ms while jobs come and at most every
		// second when idle (queue/listen.go); this process's own jobs wake
		// its workers at once, and a drain fetches as slots free up. The
		// poll is the safety net: at 50ms an idle worker spent 69 ms of CPU
		// a second (docs/performance.md).
		qcfg.PollInterval = time.Second
	}
	// River's default cooldown, as before: the queue shares the store's one
	// connection, and fetching more often slowed the store down (issue 14).
	qcfg.FetchCooldown = min(qcfg.PollInterval, 100*time.Millisecond)
	if err := w.ensureDataDir(); err != nil {
		return nil, err
	}
	w.warnLegacyStore()
	if err := privateFiles(w.cfg.DB, w.cfg.DB+"-wal", w.cfg.DB+"-shm"); err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, sqlite.Config{Path: w.cfg.DB, Logger: w.logger})
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, st.Close)
	q, err := queue.NewSQLite(ctx, st, qcfg)
	if err != nil {
		return nil, err
	}
	return &backend{store: st, queue: q, db: st.DB(), dialect: review.SQLite}, nil
}

// workerSlots is how many jobs a worker runs at once: worker.concurrency,
// raised for a hosted model with an RPM or TPM quota to the model's
// max_concurrency (default 16), so that the gateway's quota limiter and
// adaptive concurrency bound the calls rather than the worker's slots (at 4
// slots and 1 s calls a 600 RPM quota was used at 0.35; issue 14 item 5).
func (w *wiring) workerSlots() int {
	n := w.cfg.Worker.Concurrency
	m, ok := w.cfg.Models[w.cfg.Model]
	if w.cfg.Model == "builtin" || !ok || (m.RPM == 0 && m.TPM == 0) {
		return n
	}
	return max(n, cmp.Or(m.MaxConcurrency, 16))
}

// batchHandler works a backfill batch with the pipeline w.proc (set by
// openWorker before the queue starts): the built-in model on GOMAXPROCS
// goroutines shared among the batches running at once (one batch alone
// uses every core; four batches on two cores run one goroutine each, so
// that a live job in its own slot competes with two or four goroutines
// for the cores, not eight), a hosted one worker.concurrency calls at once;
// each saved summary is then written back to the team's table when
// write_back is set.
func (w *wiring) batchHandler() queue.BatchHandler {
	var running atomic.Int32
	return func(ctx context.Context, items []queue.Item) ([]error, error) {
		n := running.Add(1)
		defer running.Add(-1)
		parallel := max(1, (runtime.GOMAXPROCS(0)+int(n)-1)/int(n))
		if w.cfg.Model != "builtin" {
			parallel = w.cfg.Worker.Concurrency
		}
		vs := make([]summarize.Version, len(items))
		for i, it := range items {
			vs[i] = summarize.Version{TicketID: it.TicketID, ContentHash: it.ContentHash}
		}
		errs, err := w.proc.ProcessBatch(ctx, vs, parallel)
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			if errs[i] == nil {
				errs[i] = w.writeBack(ctx, it.TicketID)
			}
		}
		return errs, nil
	}
}

// queueLogger is the logger for River, which reports routine progress at
// info level: it only shows warnings unless the log level is debug.
func (w *wiring) queueLogger() *slog.Logger {
	if w.cfg.LogLevel == "debug" {
		return w.logger
	}
	return newLogger(w.env.stderr, "warn")
}

// legacyStore is where versions before the data directory kept the store.
const legacyStore = "ticketsum.db"

// warnLegacyStore warns when the store is the data directory's default and
// a store of an earlier version sits in the working directory: its tickets
// are not lost, but not used either until it is moved or named.
func (w *wiring) warnLegacyStore() {
	if w.cfg.DB != filepath.Join(w.cfg.DataDir, "ticketsum.db") {
		return
	}
	if _, err := os.Stat(w.cfg.DB); err == nil {
		return
	}
	if _, err := os.Stat(legacyStore); err == nil {
		w.logger.Warn("found ticketsum.db of an earlier version in the working directory; the store is now in the data directory: move it there, or pass --db ticketsum.db to keep using it",
			"store", w.cfg.DB)
	}
}
