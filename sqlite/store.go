package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ticketsum/ticketsum"
)

// Store is the SQLite ticket and summary store.
type Store struct {
	db  *sql.DB
	cfg Config
}

var (
	_ ticketsum.Store = (*Store)(nil)
)

// Open opens (creating when missing) the database at cfg.Path and applies
// the embedded migrations. It returns EINVALID for a bad Config and
// EUNAVAILABLE when the file cannot be opened or migrated.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cfg.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", cfg.Path+"?"+q.Encode())
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "open sqlite database %s: %w", cfg.Path, err)
	}
	// One connection: SQLite has one writer at a time, and River's SQLite
	// driver fails with SQLITE_BUSY under concurrent connections.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	s := &Store{db: db, cfg: cfg}
	if err := Connect(ctx, db, cfg.BusyTimeout); err != nil {
		db.Close()
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "open sqlite database %s: %w", cfg.Path, err)
	}
	n, err := s.migrate(ctx)
	if err != nil {
		db.Close()
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "migrate sqlite database %s: %w", cfg.Path, err)
	}
	cfg.Logger.InfoContext(ctx, "sqlite store open", "path", cfg.Path, "migrations_applied", n)
	return s, nil
}

// Connect opens db's first connection, retrying for up to wait while
// SQLite reports the file busy. The first connection to a fresh file turns
// it to WAL, which takes an exclusive lock that SQLite's busy timeout does
// not wait for, so processes started together on a new database (serve and
// a worker, say) would otherwise fail at random with "database is locked".
func Connect(ctx context.Context, db *sql.DB, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	pause := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		var se *msqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Close closes the database. Stop the queue running on DB first.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close sqlite database: %w", err)
	}
	return nil
}

// DB returns the store's connection pool (one connection), on which the
// queue package runs River. Do not hold a transaction on it while calling
// the store, which would wait for the same connection.
func (s *Store) DB() *sql.DB { return s.db }

// inTx runs fn in a transaction (BEGIN IMMEDIATE) and commits when fn
// returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// translate returns err coded for the user: a coded error as it is, SQLite
// busy and lock errors and context ends as EUNAVAILABLE, anything else as
// an uncoded (internal) error wrapped with what.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var coded *ticketsum.Error
	if errors.As(err, &coded) {
		return err
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: database is busy, retry later: %w", what, err)
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY:
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: database file unavailable: %w", what, err)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
