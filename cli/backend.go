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
		MaxSnoozes:   w.cfg.Worker.ThrottleSnoozes,
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

// batchCalls is how many model calls the batch jobs of this process make
// at once, over all of them: GOMAXPROCS for the built-in model (on two
// cores, four batches used to run eight goroutines, and a live job
// competed with all of them for the cores); for a hosted model the worker
// slots (workerSlots: worker.concurrency, or the model's max_concurrency
// when it has an RPM or TPM quota), as many as single-ticket jobs make,
// so that the gateway's quota limiter bounds a backfill as it bounds live
// work (each batch used to make worker.concurrency calls, up to 64 in all).
func (w *wiring) batchCalls() int {
	if w.cfg.Model == "builtin" {
		return runtime.GOMAXPROCS(0)
	}
	return w.workerSlots()
}

// batchHandler works a backfill or import batch with the pipeline
// w.batchProc (set by openWorker before the queue starts), whose model
// calls are bounded to batchCalls at once over every running batch: one
// batch alone uses them all, several share them, and live jobs, which run
// w.proc in slots of their own, never wait for them. Each saved summary is
// then written back to the team's table when write_back is set.
func (w *wiring) batchHandler() queue.BatchHandler {
	parallel := w.batchCalls()
	return func(ctx context.Context, items []queue.Item) ([]error, error) {
		vs := make([]summarize.Version, len(items))
		for i, it := range items {
			vs[i] = summarize.Version{TicketID: it.TicketID, ContentHash: it.ContentHash}
		}
		errs, err := w.batchProc.ProcessBatch(ctx, vs, parallel)
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
