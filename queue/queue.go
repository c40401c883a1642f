package queue

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// Queue is a River client for summarise jobs. TTx is the database's
// transaction type: *sql.Tx on SQLite, pgx.Tx on Postgres.
type Queue[TTx any] struct {
	client *river.Client[TTx]
	cfg    Config
	store  txStore[TTx]
	schema string // Postgres schema of River's tables
	// wake, when set, tells River's listener that this process has
	// committed jobs (SQLite, whose listener reads an outbox lazily).
	wake   func()
	counts *outcomes
	// countStates counts this queue's jobs by state with the driver's SQL.
	countStates func(ctx context.Context) (map[string]int, error)
	// countBackfill counts this queue's unfinished backfill-priority jobs.
	countBackfill func(ctx context.Context) (int, error)
	// workers is the heartbeat table of the worker processes (lost.go).
	workers workerTable
	// watch is what this process saw of the others' heartbeats (lost.go).
	watch beatWatch

	mu      sync.Mutex
	started bool
	// stopWatch ends watchWorkers, which closes watched when it is done.
	stopWatch, watched chan struct{}
}

// Store is what a queue needs of any store: tickets and summaries (to
// find a ticket's thread and its regenerations) and the failed state its
// workers keep.
type Store interface {
	ticketsum.Store
	ticketsum.FailureStore
}

// txStore is a Store with the transactional upsert of its database.
type txStore[TTx any] interface {
	Store
	TxStore[TTx]
}

// SQLiteStore is what a queue needs of the SQLite store (*sqlite.Store):
// its connection pool, its transactional upsert, tickets and failures.
type SQLiteStore interface {
	txStore[*sql.Tx]
	DB() *sql.DB
}

// PostgresStore is what a queue needs of the Postgres store
// (*postgres.Store): its pool, its schema, its transactional upsert,
// tickets and failures.
type PostgresStore interface {
	txStore[pgx.Tx]
	Pool() *pgxpool.Pool
	Schema() string
}

// NewSQLite returns a queue on the SQLite store's database, after applying
// River's migrations to it. River shares the store's single connection. It
// returns EINVALID for a bad Config and EUNAVAILABLE when the migrations
// fail.
func NewSQLite(ctx context.Context, store SQLiteStore, cfg Config) (*Queue[*sql.Tx], error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	db := store.DB()
	driver := newLazyDriver(riversqlite.New(db))
	err = migrateRiver(ctx, driver, "", cfg, func(ctx context.Context, fn func(tx *sql.Tx) error) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, err
	}
	q, err := newQueue(driver, store, "", cfg)
	if err != nil {
		return nil, err
	}
	q.wake = driver.wake
	q.workers = workerTable{jobs: "river_job", workers: "queue_workers",
		exec: func(ctx context.Context, query string, args ...any) (int64, error) {
			res, err := db.ExecContext(ctx, query, args...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		},
		query: func(ctx context.Context, query string, scan func(string, int64), args ...any) error {
			rows, err := db.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return scanWorkers(rows, scan)
		}}
	if _, err := db.ExecContext(ctx, createWorkers("queue_workers")); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "create the queue's worker table: %w", err)
	}
	q.countBackfill = func(ctx context.Context) (int, error) {
		var n int
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE queue IN (?, ?) AND priority = ?
			AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`, cfg.Queue, cfg.BatchQueue, BackfillPriority).Scan(&n)
		return n, err
	}
	q.countStates = func(ctx context.Context) (map[string]int, error) {
		rows, err := db.QueryContext(ctx, `SELECT state, count(*) FROM river_job WHERE queue IN (?, ?) GROUP BY state`, cfg.Queue, cfg.BatchQueue)
		if err != nil {
			return nil, err
		}
		return scanCounts(rows)
	}
	return q, nil
}

// NewPostgres returns a queue on the Postgres store's pool, with River's
// tables in the store's schema, after applying River's migrations under an
// advisory lock so that several workers may start at once. It returns
// EINVALID for a bad Config and EUNAVAILABLE when the migrations fail.
func NewPostgres(ctx context.Context, store PostgresStore, cfg Config) (*Queue[pgx.Tx], error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pool, schema := store.Pool(), store.Schema()
	driver := riverpgxv5.New(pool)
	err = migrateRiver(ctx, driver, schema, cfg, func(ctx context.Context, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ticketsum river migrate ' || $1, 0))`, schema); err != nil {
				return err
			}
			return fn(tx)
		})
	})
	if err != nil {
		return nil, err
	}
	q, err := newQueue(driver, store, schema, cfg)
	if err != nil {
		return nil, err
	}
	table, workers := "river_job", "queue_workers"
	if schema != "" {
		table, workers = pgx.Identifier{schema, "river_job"}.Sanitize(), pgx.Identifier{schema, "queue_workers"}.Sanitize()
	}
	q.workers = workerTable{jobs: table, workers: workers,
		exec: func(ctx context.Context, query string, args ...any) (int64, error) {
			tag, err := pool.Exec(ctx, sqldb.Postgres.Rebind(query), args...)
			return tag.RowsAffected(), err
		},
		query: func(ctx context.Context, query string, scan func(string, int64), args ...any) error {
			rows, err := pool.Query(ctx, sqldb.Postgres.Rebind(query), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return scanWorkers(rows, scan)
		}}
	// Under the migrations' lock: two workers starting at once would both
	// try to create the table.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ticketsum river migrate ' || $1, 0))`, schema); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, createWorkers(workers))
		return err
	})
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "create the queue's worker table: %w", err)
	}
	q.countBackfill = func(ctx context.Context) (int, error) {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE queue IN ($1, $2) AND priority = $3
			AND state IN ('available', 'pending', 'running', 'retryable', 'scheduled')`, cfg.Queue, cfg.BatchQueue, BackfillPriority).Scan(&n)
		return n, err
	}
	q.countStates = func(ctx context.Context) (map[string]int, error) {
		rows, err := pool.Query(ctx, `SELECT state::text, count(*) FROM `+table+` WHERE queue IN ($1, $2) GROUP BY state`, cfg.Queue, cfg.BatchQueue)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				return nil, err
			}
			out[state] = n
		}
		return out, rows.Err()
	}
	return q, nil
}

// createWorkers is the DDL of the heartbeat table (lost.go): a worker
// process's River client id and the unix microseconds of its last
// heartbeat.
func createWorkers(table string) string {
	return `CREATE TABLE IF NOT EXISTS ` + table + ` (id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)`
}

// scanWorkers calls scan with each (id, seen_at) row of rows (*sql.Rows
// or pgx.Rows).
func scanWorkers(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, scan func(string, int64)) error {
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		scan(id, at)
	}
	return rows.Err()
}

func scanCounts(rows *sql.Rows) (map[string]int, error) {
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, rows.Err()
}

// migrateRiver applies River's pending migrations one version per
// transaction given by inTx (Postgres cannot use an enum value added in the
// same transaction), until none is left.
func migrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], schema string, cfg Config, inTx func(context.Context, func(TTx) error) error) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: cfg.Logger})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	for total := 0; ; {
		applied := 0
		err = inTx(ctx, func(tx TTx) error {
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err == nil {
				applied = len(res.Versions)
			}
			return err
		})
		if err != nil {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "apply river migrations: %w", err)
		}
		if applied == 0 {
			if total > 0 {
				cfg.Logger.InfoContext(ctx, "river migrations applied", "count", total)
			}
			return nil
		}
		total += applied
	}
}

// newQueue builds the River client. Queues (workers) are configured only
// when there is a handler, so that an insert-only client can be made.
func newQueue[TTx any](driver riverdriver.Driver[TTx], store txStore[TTx], schema string, cfg Config) (*Queue[TTx], error) {
	counts := &outcomes{}
	workers := river.NewWorkers()
	single := &worker{cfg: cfg, store: store, counts: counts}
	river.AddWorker(workers, single)
	batch := &batchWorker{single: single}
	river.AddWorker(workers, batch)
	rc := &river.Config{
		Logger:               cfg.Logger,
		Workers:              workers,
		MaxAttempts:          cfg.MaxAttempts,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        cfg.FetchCooldown,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Schema:               schema,
		Middleware:           cfg.Middleware,
	}
	if cfg.Handler != nil {
		rc.Queues = map[string]river.QueueConfig{cfg.Queue: {MaxWorkers: cfg.Workers}, cfg.BatchQueue: {MaxWorkers: cfg.Workers}}
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "river client: %w", err)
	}
	q := &Queue[TTx]{client: client, cfg: cfg, store: store, schema: schema, counts: counts, watch: beatWatch{}}
	batch.insert = func(ctx context.Context, args SummarizeArgs) (bool, error) {
		return q.insertWith(ctx, args, cfg.BatchQueue, BackfillPriority)
	}
	return q, nil
}

// Start starts working jobs in the background until Stop. Cancelling ctx
// does not stop the queue (so that a signal handler's context can be passed
// and in-flight jobs still finish): call Stop. ctx's values reach the jobs.
// It returns EINVALID for a queue made without a Handler.
func (q *Queue[TTx]) Start(ctx context.Context) error {
	if q.cfg.Handler == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "queue has no handler: it can enqueue but not work jobs")
	}
	// The heartbeat is written before the first job is taken, so that
	// this worker's jobs are never taken for those of a lost one.
	if err := q.beat(ctx); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "start queue: %w", err)
	}
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "start queue: %w", err)
	}
	q.mu.Lock()
	q.started = true
	q.stopWatch, q.watched = make(chan struct{}), make(chan struct{})
	go func(stop <-chan struct{}, done chan<- struct{}) {
		defer close(done)
		q.watchWorkers(stop)
	}(q.stopWatch, q.watched)
	q.mu.Unlock()
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish. When
// ctx ends first, the running jobs' contexts are cancelled; their handlers'
// errors send them back to the queue for a retry, and Stop waits for them to
// be recorded. Nothing is lost either way. Stop on a queue that is not
// running returns nil.
func (q *Queue[TTx]) Stop(ctx context.Context) error {
	q.mu.Lock()
	started := q.started
	q.started = false
	stopWatch, watched := q.stopWatch, q.watched
	q.mu.Unlock()
	if !started {
		return nil
	}
	// The heartbeat stops (and its row goes) once the jobs are recorded.
	defer func() { close(stopWatch); <-watched }()
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	q.cfg.Logger.Warn("queue stop deadline passed; cancelling running jobs", "err", err)
	if err := q.client.StopAndCancel(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("stop queue: %w", err)
	}
	return nil
}

// Client returns the underlying River client, for wiring that needs more of
// River (subscriptions for metrics, the River UI).
func (q *Queue[TTx]) Client() *river.Client[TTx] { return q.client }
