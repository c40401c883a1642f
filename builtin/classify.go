package builtin

import "github.com/ticketsum/ticketsum"

// Status decides t's resolution status from the end of its thread exactly as
// Summarize does, without composing a summary. The LLM summariser falls back
// on it when a model's answer carries no valid status after its repair, so
// that the paid answer is kept. An invalid ticket (see Ticket.Validate) is
// awaiting support.
func (s *Summarizer) Status(t *ticketsum.Ticket) ticketsum.Status {
	if t == nil || t.Validate() != nil {
		return ticketsum.StatusAwaitingSupport
	}
	return s.digest(t).status
}
