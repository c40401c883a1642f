package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// SQLStore is the Store on a database/sql handle: SQLite (modernc.org/sqlite,
// driver "sqlite") or Postgres (pgx stdlib, driver "pgx"). It owns the
// review_ tables and creates them with Migrate.
type SQLStore struct {
	db *sql.DB
	d  Dialect
}

var _ Store = (*SQLStore)(nil)

// NewSQLStore returns a store on db, which the caller opened and closes.
// Call Migrate before first use. For SQLite, open the database with
// "_pragma=busy_timeout(5000)&_txlock=immediate" so that concurrent
// writers wait (SaveRatings reads before it writes: a deferred
// transaction fails at once when another connection wrote meanwhile).
func NewSQLStore(db *sql.DB, d Dialect) (*SQLStore, error) {
	if err := sqldb.Check("review store", db, d); err != nil {
		return nil, err
	}
	return &SQLStore{db: db, d: d}, nil
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func (s *SQLStore) exec(ctx context.Context, e execer, q string, args ...any) (sql.Result, error) {
	return e.ExecContext(ctx, s.d.Rebind(q), args...)
}

func (s *SQLStore) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.d.Rebind(q), args...)
}

// unavailable codes a database failure.
func unavailable(what string, err error) error {
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINTERNAL || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: %w", what, err)
}

// CreateTask implements Store.
func (s *SQLStore) CreateTask(ctx context.Context, t *Task) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable("create review task", err)
	}
	defer tx.Rollback()
	res, err := s.exec(ctx, tx, `INSERT INTO review_tasks (id, source, ticket_id, method, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		t.ID, t.Source, t.TicketID, string(t.Method), sqldb.Micros(t.CreatedAt))
	if err != nil {
		return unavailable("create review task "+t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "review task %s already exists", t.ID)
	}
	for i, c := range t.Candidates {
		if _, err := s.exec(ctx, tx, `INSERT INTO review_candidates (task_id, label, position, config, model, prompt_version, summary_id, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, c.Label, i, c.Config, c.Model, c.PromptVersion, c.SummaryID, c.Text); err != nil {
			return unavailable("create review task "+t.ID+" candidate", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable("create review task "+t.ID, err)
	}
	return nil
}

// FindTask implements Store.
func (s *SQLStore) FindTask(ctx context.Context, id string) (*Task, error) {
	ts, err := s.tasks(ctx, `WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "review task %s not found", truncate(id, 70))
	}
	return ts[0], nil
}

// ListTasks implements Store.
func (s *SQLStore) ListTasks(ctx context.Context, source string) ([]*Task, error) {
	if source == "" {
		return s.tasks(ctx, `WHERE 1 = 1`)
	}
	return s.tasks(ctx, `WHERE t.source = ?`, source)
}

// tasks loads tasks and their candidates in one query.
func (s *SQLStore) tasks(ctx context.Context, where string, args ...any) ([]*Task, error) {
	rows, err := s.query(ctx, `SELECT t.id, t.source, t.ticket_id, t.method, t.created_at, c.label, c.config, c.model, c.prompt_version, c.summary_id, c.text
		FROM review_tasks t JOIN review_candidates c ON c.task_id = t.id `+where+` ORDER BY t.created_at, t.id, c.position`, args...)
	if err != nil {
		return nil, unavailable("list review tasks", err)
	}
	defer rows.Close()
	var out []*Task
	for rows.Next() {
		var t Task
		var c Candidate
		var method string
		var created int64
		if err := rows.Scan(&t.ID, &t.Source, &t.TicketID, &method, &created, &c.Label, &c.Config, &c.Model, &c.PromptVersion, &c.SummaryID, &c.Text); err != nil {
			return nil, unavailable("scan review task", err)
		}
		if n := len(out); n == 0 || out[n-1].ID != t.ID {
			t.Method, t.CreatedAt = Method(method), sqldb.FromMicros(created)
			out = append(out, &t)
		}
		last := out[len(out)-1]
		last.Candidates = append(last.Candidates, c)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list review tasks", err)
	}
	return out, nil
}

// SaveRatings implements Store.
func (s *SQLStore) SaveRatings(ctx context.Context, rs []*Rating) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable("save ratings", err)
	}
	defer tx.Rollback()
	exists := map[string]bool{}
	for _, r := range rs {
		var n int
		if exists[r.TaskID] {
			n = 1
		} else if err := tx.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM review_tasks WHERE id = ?`), r.TaskID).Scan(&n); err != nil {
			return unavailable("save ratings", err)
		}
		if n == 0 {
			return ticketsum.Errorf(ticketsum.ENOTFOUND, "review task %s not found", truncate(r.TaskID, 70))
		}
		exists[r.TaskID] = true
		if _, err := s.exec(ctx, tx, `INSERT INTO review_ratings (task_id, label, rater, method, score, chosen, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (task_id, label, rater) DO UPDATE SET method = excluded.method, score = excluded.score, chosen = excluded.chosen, comment = excluded.comment, created_at = excluded.created_at`,
			r.TaskID, r.Label, r.Rater, string(r.Method), r.Score, r.Chosen, r.Comment, sqldb.Micros(r.CreatedAt)); err != nil {
			return unavailable("save rating of task "+r.TaskID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable("save ratings", err)
	}
	return nil
}

// ListRatings implements Store.
func (s *SQLStore) ListRatings(ctx context.Context, source string) ([]*Rating, error) {
	q := `SELECT r.task_id, t.ticket_id, r.label, r.rater, r.method, r.score, r.chosen, r.comment, r.created_at
		FROM review_ratings r JOIN review_tasks t ON t.id = r.task_id`
	var args []any
	if source != "" {
		q += ` WHERE t.source = ?`
		args = append(args, source)
	}
	rows, err := s.query(ctx, q+` ORDER BY t.created_at, r.task_id, r.label, r.rater`, args...)
	if err != nil {
		return nil, unavailable("list ratings", err)
	}
	defer rows.Close()
	var out []*Rating
	for rows.Next() {
		var r Rating
		var method string
		var created int64
		if err := rows.Scan(&r.TaskID, &r.TicketID, &r.Label, &r.Rater, &method, &r.Score, &r.Chosen, &r.Comment, &created); err != nil {
			return nil, unavailable("scan rating", err)
		}
		r.Method, r.CreatedAt = Method(method), sqldb.FromMicros(created)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list ratings", err)
	}
	return out, nil
}
