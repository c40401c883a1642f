package ticketsum

import "context"

// AnswerKey identifies a paid model answer: the ticket, the content hash of
// the thread the model read, the model asked for (not a fallback that
// answered in its place) and the prompt version. It is the key of Summary
// idempotency too, so a recorded answer becomes exactly one summary.
type AnswerKey struct {
	TicketID      string
	ContentHash   string
	Model         string
	PromptVersion string
}

// AnswerKeyOf returns the key s is recorded under: its RequestedModel when a
// fallback answered, else its Model.
func AnswerKeyOf(s *Summary) AnswerKey {
	model := s.RequestedModel
	if model == "" {
		model = s.Model
	}
	return AnswerKey{TicketID: s.TicketID, ContentHash: s.ContentHash, Model: model, PromptVersion: s.PromptVersion}
}

// AnswerStore keeps the answers a model was paid for, recorded right after
// the call and before any later step (the output guard, the save, the
// process itself) can fail, so that work re-run after a crash or an error
// reuses the answer instead of paying for it again. Both stores implement it.
type AnswerStore interface {
	// SaveAnswer records s, a summariser's answer, under AnswerKeyOf(s).
	// The first answer recorded for a key is kept: saving the key again
	// changes nothing. It returns EINVALID for an answer that could not be
	// saved as a summary (see SummaryStore.SaveSummary); the ticket need not
	// exist.
	SaveAnswer(ctx context.Context, s *Summary) error
	// FindAnswer returns the answer recorded under k, or ENOTFOUND.
	FindAnswer(ctx context.Context, k AnswerKey) (*Summary, error)
}
