package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketsum/ticketsum"
)

// Store is the Postgres ticket and summary store.
type Store struct {
	pool *pgxpool.Pool
	cfg  Config
}

var _ ticketsum.Store = (*Store)(nil)

// Open connects to cfg.URL, creates the schema when missing and applies the
// embedded migrations under an advisory lock. It returns EINVALID for a bad
// Config or URL and EUNAVAILABLE when the database cannot be reached or
// migrated.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// The parse error may quote the URL and its password: keep it out.
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "postgres URL cannot be parsed")
	}
	if !urlSetsPoolMax(cfg.URL) {
		pc.MaxConns = cfg.MaxConns
	}
	pc.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	if cfg.Password != nil {
		pc.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			pw, err := cfg.Password(ctx)
			if err != nil {
				return fmt.Errorf("get postgres password: %w", err)
			}
			cc.Password = pw
			return nil
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "connect to postgres: %w", err)
	}
	s := &Store{pool: pool, cfg: cfg}
	n, err := s.migrate(ctx)
	if err != nil {
		pool.Close()
		return nil, Translate(err, "migrate postgres schema "+cfg.Schema)
	}
	cfg.Logger.InfoContext(ctx, "postgres store open", "host", pc.ConnConfig.Host, "database", pc.ConnConfig.Database, "schema", cfg.Schema, "migrations_applied", n)
	return s, nil
}

// Close closes the pool. Stop the queue running on Pool first.
func (s *Store) Close() { s.pool.Close() }

// Pool returns the store's connection pool, on which the queue package runs
// River. Its connections have search_path set to Schema.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema holding the store's tables.
func (s *Store) Schema() string { return s.cfg.Schema }

// Translate returns err coded for the user: a coded error as it is,
// connection failures, timeouts, serialization failures, deadlocks and
// shutdowns as EUNAVAILABLE, anything else as an uncoded (internal) error
// wrapped with what.
func Translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var coded *ticketsum.Error
	if errors.As(err, &coded) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03":
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: transaction conflict, retry: %w", what, err)
		case pe.Code[:2] == "08" || pe.Code[:2] == "57" || pe.Code[:2] == "53":
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: database unavailable: %w", what, err)
		case pe.Code == "22021": // character not in repertoire (NUL)
			return ticketsum.Errorf(ticketsum.EINVALID, "%s: text holds a character Postgres cannot store: %w", what, err)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// inTx runs fn in a transaction and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// urlSetsPoolMax reports whether the connection string gives
// pool_max_conns, in URL or keyword/value form: the operator's setting wins
// over the configured size.
func urlSetsPoolMax(url string) bool {
	return strings.Contains(url, "pool_max_conns=")
}
