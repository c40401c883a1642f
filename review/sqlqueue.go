package review

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

const queueCols = `summary_id, ticket_id, content_hash, model, prompt_version, text, status, reason, sampled_at, state, reviewer, edited_text, comment, decided_at`

func scanQueueItem(sc interface{ Scan(...any) error }) (*QueueItem, error) {
	var q QueueItem
	var state, status string
	var sampled, decided int64
	if err := sc.Scan(&q.SummaryID, &q.TicketID, &q.ContentHash, &q.Model, &q.PromptVersion, &q.Text, &status, &q.Reason, &sampled, &state, &q.Reviewer, &q.EditedText, &q.Comment, &decided); err != nil {
		return nil, err
	}
	q.State, q.Status, q.SampledAt, q.DecidedAt = State(state), ticketsum.Status(status), sqldb.FromMicros(sampled), sqldb.FromMicros(decided)
	return &q, nil
}

// Enqueue implements Store.
func (s *SQLStore) Enqueue(ctx context.Context, q *QueueItem) (bool, error) {
	res, err := s.exec(ctx, s.db, `INSERT INTO review_queue (`+queueCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (summary_id) DO NOTHING`,
		q.SummaryID, q.TicketID, q.ContentHash, q.Model, q.PromptVersion, q.Text, string(q.Status), q.Reason, sqldb.Micros(q.SampledAt), string(q.State), q.Reviewer, q.EditedText, q.Comment, sqldb.Micros(q.DecidedAt))
	if err != nil {
		return false, unavailable("enqueue summary for review", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// FindQueueItem implements Store.
func (s *SQLStore) FindQueueItem(ctx context.Context, summaryID int64) (*QueueItem, error) {
	row := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+queueCols+` FROM review_queue WHERE summary_id = ?`), summaryID)
	q, err := scanQueueItem(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "summary %d is not in the review queue", summaryID)
	}
	if err != nil {
		return nil, unavailable("find review item", err)
	}
	return q, nil
}

// ListQueue implements Store.
func (s *SQLStore) ListQueue(ctx context.Context, f QueueFilter) ([]*QueueItem, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where, args := ` WHERE 1 = 1`, []any{}
	if f.State != "" {
		where, args = ` WHERE state = ?`, append(args, string(f.State))
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM review_queue`+where), args...).Scan(&total); err != nil {
		return nil, 0, unavailable("count review queue", err)
	}
	rows, err := s.query(ctx, `SELECT `+queueCols+` FROM review_queue`+where+` ORDER BY sampled_at, summary_id LIMIT ? OFFSET ?`, append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, unavailable("list review queue", err)
	}
	defer rows.Close()
	var out []*QueueItem
	for rows.Next() {
		q, err := scanQueueItem(rows)
		if err != nil {
			return nil, 0, unavailable("scan review item", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, unavailable("list review queue", err)
	}
	return out, total, nil
}

// Decide implements Store.
func (s *SQLStore) Decide(ctx context.Context, summaryID int64, d Decision) error {
	res, err := s.exec(ctx, s.db, `UPDATE review_queue SET state = ?, reviewer = ?, edited_text = ?, comment = ?, decided_at = ? WHERE summary_id = ?`,
		string(d.State), d.Reviewer, d.EditedText, d.Comment, sqldb.Micros(d.At), summaryID)
	if err != nil {
		return unavailable("record review decision", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "summary %d is not in the review queue", summaryID)
	}
	return nil
}

// ListReviewed implements Store.
func (s *SQLStore) ListReviewed(ctx context.Context) ([]*QueueItem, error) {
	rows, err := s.query(ctx, `SELECT `+queueCols+` FROM review_queue WHERE state IN (?, ?) ORDER BY decided_at, summary_id`, string(Approved), string(Edited))
	if err != nil {
		return nil, unavailable("list reviewed summaries", err)
	}
	defer rows.Close()
	var out []*QueueItem
	for rows.Next() {
		q, err := scanQueueItem(rows)
		if err != nil {
			return nil, unavailable("scan review item", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("list reviewed summaries", err)
	}
	return out, nil
}

// TakeRegenerate implements Store with one conditional UPDATE (or INSERT
// for a ticket never regenerated), so that concurrent servers agree.
func (s *SQLStore) TakeRegenerate(ctx context.Context, ticketID string, now time.Time, interval time.Duration) (bool, time.Time, error) {
	var prev int64
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT last_at FROM review_regenerations WHERE ticket_id = ?`), ticketID).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := s.exec(ctx, s.db, `INSERT INTO review_regenerations (ticket_id, last_at) VALUES (?, ?) ON CONFLICT (ticket_id) DO NOTHING`, ticketID, now.UnixMicro())
		if err != nil {
			return false, time.Time{}, unavailable("record regeneration", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return true, time.Time{}, nil
		}
		// Another server inserted it first: decide on its row.
		return s.TakeRegenerate(ctx, ticketID, now, interval)
	case err != nil:
		return false, time.Time{}, unavailable("read regeneration", err)
	}
	if prev > now.Add(-interval).UnixMicro() {
		return false, sqldb.FromMicros(prev), nil
	}
	res, err := s.exec(ctx, s.db, `UPDATE review_regenerations SET last_at = ? WHERE ticket_id = ? AND last_at = ?`, now.UnixMicro(), ticketID, prev)
	if err != nil {
		return false, time.Time{}, unavailable("record regeneration", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.TakeRegenerate(ctx, ticketID, now, interval)
	}
	return true, sqldb.FromMicros(prev), nil
}

// ReleaseRegenerate implements Store.
func (s *SQLStore) ReleaseRegenerate(ctx context.Context, ticketID string, now, previous time.Time) error {
	var err error
	if previous.IsZero() {
		_, err = s.exec(ctx, s.db, `DELETE FROM review_regenerations WHERE ticket_id = ? AND last_at = ?`, ticketID, now.UnixMicro())
	} else {
		_, err = s.exec(ctx, s.db, `UPDATE review_regenerations SET last_at = ? WHERE ticket_id = ? AND last_at = ?`, previous.UnixMicro(), ticketID, now.UnixMicro())
	}
	if err != nil {
		return unavailable("release regeneration", err)
	}
	return nil
}
