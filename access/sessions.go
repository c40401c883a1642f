package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// StartSession records the web session id of actor, open until expires,
// and forgets the sessions that expired before now. webauth names the id
// in the session cookie and asks SessionOpen on each request, so that
// EndSession ends every copy of the cookie.
func (s *Service) StartSession(ctx context.Context, id, actor string, expires time.Time) error {
	return s.cfg.Store.CreateSession(ctx, id, actor, expires, s.cfg.Clock.Now())
}

// SessionOpen reports whether web session id was started, is not ended and
// has not expired.
func (s *Service) SessionOpen(ctx context.Context, id string) (bool, error) {
	return s.cfg.Store.SessionOpen(ctx, id, s.cfg.Clock.Now())
}

// EndSession ends web session id (signing out); an unknown id is no error.
func (s *Service) EndSession(ctx context.Context, id string) error {
	return s.cfg.Store.EndSession(ctx, id, s.cfg.Clock.Now())
}

// CreateSession implements Store.
func (s *SQLStore) CreateSession(ctx context.Context, id, actor string, expires, now time.Time) error {
	return s.sessionWrite(ctx, "start web session", func(tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, `DELETE FROM access_sessions WHERE expires_at < ?`, sqldb.Micros(now)); err != nil {
			return err
		}
		_, err := s.txExec(ctx, tx, `INSERT INTO access_sessions (id, actor, expires_at, ended_at) VALUES (?, ?, ?, 0)`,
			id, actor, sqldb.Micros(expires))
		return err
	})
}

// SessionOpen implements Store.
func (s *SQLStore) SessionOpen(ctx context.Context, id string, now time.Time) (bool, error) {
	var expires, ended int64
	err := s.queryRow(ctx, `SELECT expires_at, ended_at FROM access_sessions WHERE id = ?`, id).Scan(&expires, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check web session: %w", err)
	}
	return ended == 0 && sqldb.Micros(now) < expires, nil
}

// EndSession implements Store.
func (s *SQLStore) EndSession(ctx context.Context, id string, now time.Time) error {
	return s.sessionWrite(ctx, "end web session", func(tx *sql.Tx) error {
		_, err := s.txExec(ctx, tx, `UPDATE access_sessions SET ended_at = ? WHERE id = ? AND ended_at = 0`, sqldb.Micros(now), id)
		return err
	})
}

// sessionWrite runs fn in a transaction without bumping the access
// version: sessions are in no process's cache of principals and keys.
func (s *SQLStore) sessionWrite(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err == nil {
		defer tx.Rollback()
		if err = fn(tx); err == nil {
			err = tx.Commit()
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
