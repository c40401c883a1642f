package source

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
)

// Store is what a Source needs of ticketsum's Postgres store
// (*postgres.Store): its transactional upsert, its pool and schema, and the
// current summaries for write-back.
type Store interface {
	UpsertTicketTx(ctx context.Context, t *ticketsum.Ticket, onChange func(ctx context.Context, tx pgx.Tx) error) (changed bool, err error)
	CurrentSummary(ctx context.Context, ticketID string) (*ticketsum.Summary, error)
	Pool() *pgxpool.Pool
	Schema() string
}

// BatchStore is a Store that also upserts many tickets in one transaction
// (*postgres.Store does): Backfill then copies a page at a time.
type BatchStore interface {
	Store
	UpsertTicketsTx(ctx context.Context, tickets []*ticketsum.Ticket, onChange func(ctx context.Context, tx pgx.Tx, changed []*ticketsum.Ticket) error) (changed []bool, bad []error, err error)
}

// Source reads the team's tickets and feeds changed threads to ticketsum.
type Source struct {
	cfg    Config
	store  Store
	pool   *pgxpool.Pool // the store's pool: search_path is ticketsum's schema
	team   *pgxpool.Pool // the team's queries: read-only by default
	schema string        // ticketsum's schema, quoted
	q      queries
	// writeBackParams is how many of ($1 id, $2 text, $3 status, $4 model)
	// the write-back statement takes.
	writeBackParams int
}

// Open checks cfg, creates the source's tables in the store's schema
// (watermarks, backfill cursors, debounce times), opens a read-only pool on
// the same database for the team's tables, and checks that the mapped
// tables and columns or the queries work. It returns EINVALID for a bad
// config or a mapping that does not match the database, and EUNAVAILABLE
// when the database cannot be reached.
func Open(ctx context.Context, store Store, cfg Config) (*Source, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pc := store.Pool().Config().Copy()
	delete(pc.ConnConfig.RuntimeParams, "search_path")
	if cfg.SearchPath != "" {
		pc.ConnConfig.RuntimeParams["search_path"] = cfg.SearchPath
	}
	pc.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pc.ConnConfig.RuntimeParams["application_name"] = "ticketsum-source"
	pc.MaxConns = 4
	team, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "open source pool: %w", err)
	}
	s := &Source{
		cfg: cfg, store: store, pool: store.Pool(), team: team,
		schema: pgx.Identifier{store.Schema()}.Sanitize(),
		q:      buildQueries(cfg.Mapping),
	}
	if err := s.migrate(ctx); err != nil {
		team.Close()
		return nil, translate(err, "create source tables")
	}
	if err := s.check(ctx); err != nil {
		team.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the source's pool on the team's tables. The store stays open.
func (s *Source) Close() { s.team.Close() }

// migrate creates the source's own tables in ticketsum's schema.
func (s *Source) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ticketsum source migrate ' || $1, 0))`, s.store.Schema()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
CREATE TABLE IF NOT EXISTS `+s.schema+`.source_cursors (
    name       text PRIMARY KEY,         -- source name / watch or backfill
    since      timestamptz,              -- backfill: where it started
    at         timestamptz NOT NULL,     -- watermark: updated-at of the last ticket copied
    id         text,                     -- and its id (ties on the same updated-at)
    done       bigint NOT NULL DEFAULT 0,
    finished   boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS `+s.schema+`.source_debounce (
    ticket_id text PRIMARY KEY,
    run_at    timestamptz NOT NULL       -- when the ticket's latest job runs
);
CREATE INDEX IF NOT EXISTS source_debounce_run_at ON `+s.schema+`.source_debounce (run_at)`)
		return err
	})
}

// check runs each of the team's queries once, returning nothing, so that a
// mapping naming a missing table or column fails at start with a clear error.
func (s *Source) check(ctx context.Context) error {
	probe := func(what, sql string, args ...any) error {
		rows, err := s.team.Query(ctx, sql, args...)
		if err == nil {
			rows.Close()
			err = rows.Err()
		}
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code[:2] == "42" {
				return ticketsum.Errorf(ticketsum.EINVALID, "source %s does not match the database: %s", what, pe.Message)
			}
			return translate(err, "check source "+what)
		}
		return nil
	}
	var none *string
	if err := probe("changes query", s.q.changes, s.cfg.Clock.Now(), none, 0); err != nil {
		return err
	}
	if s.cfg.TableMode() {
		if err := probe("messages mapping", s.q.messages, []string{}); err != nil {
			return err
		}
		if err := probe("count query", s.q.count, s.cfg.Clock.Now()); err != nil {
			return err
		}
	} else {
		if err := probe("thread query", "SELECT * FROM ("+s.q.thread+") AS q LIMIT 0", none); err != nil {
			return err
		}
		if s.q.count != "" {
			if err := probe("count query", s.q.count, s.cfg.Clock.Now()); err != nil {
				return err
			}
		}
	}
	if s.cfg.WriteBack != "" {
		conn, err := s.team.Acquire(ctx)
		if err != nil {
			return translate(err, "check write-back statement")
		}
		defer conn.Release()
		sd, err := conn.Conn().Prepare(ctx, "", s.cfg.WriteBack)
		if err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				return ticketsum.Errorf(ticketsum.EINVALID, "source write_back does not match the database: %s", pe.Message)
			}
			return translate(err, "check write-back statement")
		}
		if n := len(sd.ParamOIDs); n < 1 || n > 4 {
			return ticketsum.Errorf(ticketsum.EINVALID, "source write_back takes %d parameters; want 1 to 4 ($1 id, $2 text, $3 status, $4 model)", n)
		}
		s.writeBackParams = len(sd.ParamOIDs)
	}
	return nil
}

// translate codes a database error: server errors as the store codes them
// (postgres.Translate), a write attempted by a source query as EINVALID, and
// any other failure of the connection (timeouts, a backend killed under a
// query) as EUNAVAILABLE, so the watcher retries.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var coded *ticketsum.Error
	if errors.As(err, &coded) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code == "25006" { // read-only transaction: a source query tried to write
			return ticketsum.Errorf(ticketsum.EINVALID, "%s: the source queries may only read: %w", what, err)
		}
		return postgres.Translate(err, what)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: %w", what, err)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	// A connection closed under a query (a killed backend) has no PgError.
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: %w", what, err)
}

// isPrivilege reports a missing privilege (SQLSTATE 42501).
func isPrivilege(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42501"
}
