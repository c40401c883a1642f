package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

var _ ticketsum.AnswerStore = (*Store)(nil)

// SaveAnswer records a paid answer under ticketsum.AnswerKeyOf(a); the first
// answer per key is kept. It returns EINVALID for an answer that could not be
// saved as a summary.
func (s *Store) SaveAnswer(ctx context.Context, a *ticketsum.Summary) error {
	if err := ticketdoc.CheckSummary(a); err != nil {
		return err
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	k := ticketsum.AnswerKeyOf(a)
	_, err = s.db.ExecContext(ctx, `INSERT INTO answers (ticket_id, content_hash, model, prompt_version, doc, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.TicketID, k.ContentHash, k.Model, k.PromptVersion, string(doc), s.cfg.Clock.Now().UnixMicro())
	return translate(err, fmt.Sprintf("record the answer for ticket %s", k.TicketID))
}

// FindAnswer returns the answer recorded under k, or ENOTFOUND.
func (s *Store) FindAnswer(ctx context.Context, k ticketsum.AnswerKey) (*ticketsum.Summary, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM answers WHERE ticket_id = ? AND content_hash = ? AND model = ? AND prompt_version = ?`,
		k.TicketID, k.ContentHash, k.Model, k.PromptVersion).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no answer recorded for ticket %s with %s", k.TicketID, k.Model)
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("load the answer for ticket %s", k.TicketID))
	}
	var a ticketsum.Summary
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		return nil, fmt.Errorf("decode the answer for ticket %s: %w", k.TicketID, err)
	}
	return &a, nil
}
