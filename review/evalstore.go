package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// EvalRun is an evaluation run as the store keeps it: the run with its
// per-configuration metrics, every configuration's output per ticket, and
// the tickets they summarise (which need not be in the ticket store).
type EvalRun struct {
	Run     *eval.Run
	Items   []eval.Item
	Tickets []*ticketsum.Ticket
}

// EvalStore keeps evaluation runs and their outputs. SQLStore implements
// it; it is also an eval.RunStore, so that eval history lives in the same
// database as the ratings.
type EvalStore interface {
	eval.RunStore
	// SaveEvalRun stores a run with its outputs and tickets in one
	// transaction; ECONFLICT if the run id exists.
	SaveEvalRun(ctx context.Context, r *EvalRun) error
	// FindEvalRun returns the run with id (metrics only), or ENOTFOUND.
	FindEvalRun(ctx context.Context, id string) (*eval.Run, error)
	// EvalItems returns a run's outputs in dataset order, configurations
	// interleaved as the run made them.
	EvalItems(ctx context.Context, runID string) ([]eval.Item, error)
	// FindEvalTicket returns a ticket of a run's dataset, or ENOTFOUND.
	FindEvalTicket(ctx context.Context, runID, ticketID string) (*ticketsum.Ticket, error)
}

var _ EvalStore = (*SQLStore)(nil)

// SaveRun implements eval.RunStore: it stores a run without outputs.
func (s *SQLStore) SaveRun(ctx context.Context, run *eval.Run) error {
	return s.SaveEvalRun(ctx, &EvalRun{Run: run})
}

// SaveEvalRun implements EvalStore.
func (s *SQLStore) SaveEvalRun(ctx context.Context, r *EvalRun) error {
	if r == nil || r.Run == nil || r.Run.ID == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "an eval run to store needs its id")
	}
	body, err := json.Marshal(r.Run)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINTERNAL, "encode eval run: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable("save eval run", err)
	}
	defer tx.Rollback()
	res, err := s.exec(ctx, tx, `INSERT INTO review_eval_runs (id, started_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.Run.ID, sqldb.Micros(r.Run.StartedAt), string(body))
	if err != nil {
		return unavailable("save eval run "+r.Run.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "eval run %s is stored already", r.Run.ID)
	}
	for i, it := range r.Items {
		b, err := json.Marshal(it)
		if err != nil {
			return ticketsum.Errorf(ticketsum.EINTERNAL, "encode eval item: %w", err)
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO review_eval_items (run_id, config, ticket_id, position, body) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (run_id, config, ticket_id) DO NOTHING`, r.Run.ID, it.Config, it.TicketID, i, string(b)); err != nil {
			return unavailable("save eval item", err)
		}
	}
	for _, t := range r.Tickets {
		b, err := json.Marshal(t)
		if err != nil {
			return ticketsum.Errorf(ticketsum.EINTERNAL, "encode eval ticket: %w", err)
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO review_eval_tickets (run_id, ticket_id, body) VALUES (?, ?, ?) ON CONFLICT (run_id, ticket_id) DO NOTHING`,
			r.Run.ID, t.ID, string(b)); err != nil {
			return unavailable("save eval ticket", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable("save eval run "+r.Run.ID, err)
	}
	return nil
}

// ListRuns implements eval.RunStore: every run, oldest first.
func (s *SQLStore) ListRuns(ctx context.Context) ([]*eval.Run, error) {
	rows, err := s.query(ctx, `SELECT body FROM review_eval_runs ORDER BY started_at, id`)
	if err != nil {
		return nil, unavailable("list eval runs", err)
	}
	defer rows.Close()
	var out []*eval.Run
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, unavailable("scan eval run", err)
		}
		var r eval.Run
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "decode eval run: %w", err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list eval runs", err)
	}
	return out, nil
}

// FindEvalRun implements EvalStore.
func (s *SQLStore) FindEvalRun(ctx context.Context, id string) (*eval.Run, error) {
	var body string
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT body FROM review_eval_runs WHERE id = ?`), id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no eval run %q is stored ('ticketsum eval history' lists the runs)", truncate(id, 70))
	}
	if err != nil {
		return nil, unavailable("find eval run", err)
	}
	var r eval.Run
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "decode eval run %s: %w", id, err)
	}
	return &r, nil
}

// EvalItems implements EvalStore.
func (s *SQLStore) EvalItems(ctx context.Context, runID string) ([]eval.Item, error) {
	rows, err := s.query(ctx, `SELECT body FROM review_eval_items WHERE run_id = ? ORDER BY position`, runID)
	if err != nil {
		return nil, unavailable("list eval items", err)
	}
	defer rows.Close()
	var out []eval.Item
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, unavailable("scan eval item", err)
		}
		var it eval.Item
		if err := json.Unmarshal([]byte(body), &it); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "decode eval item: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list eval items", err)
	}
	return out, nil
}

// FindEvalTicket implements EvalStore.
func (s *SQLStore) FindEvalTicket(ctx context.Context, runID, ticketID string) (*ticketsum.Ticket, error) {
	var body string
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT body FROM review_eval_tickets WHERE run_id = ? AND ticket_id = ?`), runID, ticketID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s of eval run %s is not stored", truncate(ticketID, 70), truncate(runID, 70))
	}
	if err != nil {
		return nil, unavailable("find eval ticket", err)
	}
	var t ticketsum.Ticket
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "decode eval ticket: %w", err)
	}
	return &t, nil
}
