package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ticketsum/ticketsum"
)

// SummaryJSON is a summary as the API shows it: the summary's own fields and
// its latency in milliseconds.
type SummaryJSON struct {
	*ticketsum.Summary
	LatencyMS int64 `json:"latency_ms"`
}

// TicketItemJSON is one ticket of GET /api/tickets.
type TicketItemJSON struct {
	ID           string    `json:"id"`
	Subject      string    `json:"subject"`
	ProductLine  string    `json:"product_line"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	MessageCount int       `json:"message_count"`
	// State is no_summary, outdated, summarized or failed.
	State   ticketsum.TicketState `json:"state"`
	Summary *SummaryJSON          `json:"summary"`
	Stale   bool                  `json:"stale"`
	// Failure says why the last attempt failed; null unless State is failed.
	Failure *ticketsum.Failure `json:"failure"`
}

// TicketListJSON is the body of GET /api/tickets. NextOffset is null on the
// last page. Backlog is how many tickets wait for the worker, null when the
// server does not know (Config.Backlog).
type TicketListJSON struct {
	Tickets    []TicketItemJSON `json:"tickets"`
	Total      int              `json:"total"`
	Limit      int              `json:"limit"`
	Offset     int              `json:"offset"`
	NextOffset *int             `json:"next_offset"`
	Backlog    *int             `json:"backlog"`
}

// TicketDetailJSON is the body of GET /api/tickets/{id}: the ticket, its
// state, its current summary (null when there is none), whether that
// summary was made for an older thread, why it failed (null unless failed)
// and every summary, newest first.
type TicketDetailJSON struct {
	Ticket  *ticketsum.Ticket     `json:"ticket"`
	State   ticketsum.TicketState `json:"state"`
	Summary *SummaryJSON          `json:"summary"`
	Stale   bool                  `json:"stale"`
	Failure *ticketsum.Failure    `json:"failure"`
	History []SummaryJSON         `json:"history"`
}

func summaryJSON(s *ticketsum.Summary) *SummaryJSON {
	if s == nil {
		return nil
	}
	return &SummaryJSON{Summary: s, LatencyMS: s.Latency.Milliseconds()}
}

func (s *Server) handleAPIList(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseAPIFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	views, total, err := s.cfg.Store.ListTickets(r.Context(), f)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list tickets: %w", err))
		return
	}
	out := TicketListJSON{Tickets: make([]TicketItemJSON, 0, len(views)), Total: total, Limit: f.Limit, Offset: f.Offset,
		Backlog: s.backlog(r)}
	for _, v := range views {
		if v.Ticket == nil {
			continue
		}
		out.Tickets = append(out.Tickets, TicketItemJSON{
			ID:           v.Ticket.ID,
			Subject:      v.Ticket.Subject,
			ProductLine:  v.Ticket.ProductLine,
			CreatedAt:    v.Ticket.CreatedAt,
			UpdatedAt:    v.Ticket.UpdatedAt,
			MessageCount: len(v.Ticket.Messages),
			State:        v.State(),
			Summary:      summaryJSON(v.Current),
			Stale:        v.Stale,
			Failure:      v.Failure,
		})
	}
	if next := f.Offset + len(views); len(views) > 0 && next < total {
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPITicket(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadTicket(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := TicketDetailJSON{Ticket: d.Ticket, State: d.State(), Summary: summaryJSON(d.Current), Stale: d.Stale,
		Failure: d.Failure, History: make([]SummaryJSON, 0, len(d.History))}
	for _, h := range d.History {
		out.History = append(out.History, *summaryJSON(h))
	}
	writeJSON(w, http.StatusOK, out)
}

// ticketData is a ticket with everything its page shows.
type ticketData struct {
	Ticket  *ticketsum.Ticket
	Current *ticketsum.Summary
	Stale   bool
	Failure *ticketsum.Failure
	History []*ticketsum.Summary
}

// State returns the ticket's state.
func (d *ticketData) State() ticketsum.TicketState {
	return ticketsum.TicketView{Current: d.Current, Stale: d.Stale, Failure: d.Failure}.State()
}

// loadTicket reads a ticket, its current summary and its summary history.
func (s *Server) loadTicket(r *http.Request, id string) (*ticketData, error) {
	ctx := r.Context()
	if id == "" || len(id) > ticketsum.MaxIDLength {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "ticket id must be 1 to %d bytes", ticketsum.MaxIDLength)
	}
	t, err := s.cfg.Store.FindTicket(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load ticket %s: %w", id, err)
	}
	d := &ticketData{Ticket: t}
	cur, err := s.cfg.Store.CurrentSummary(ctx, id)
	switch {
	case err == nil:
		d.Current = cur
		d.Stale = cur.ContentHash != t.ContentHash()
	case ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND:
	default:
		return nil, fmt.Errorf("load summary of ticket %s: %w", id, err)
	}
	if d.History, err = s.cfg.Store.SummaryHistory(ctx, id); err != nil {
		return nil, fmt.Errorf("load summary history of ticket %s: %w", id, err)
	}
	if s.cfg.Failures != nil {
		f, err := s.cfg.Failures.FindFailure(ctx, id)
		switch {
		case err == nil:
			d.Failure = f
		case ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND:
			return nil, fmt.Errorf("load failure of ticket %s: %w", id, err)
		}
	}
	return d, nil
}

// backlog returns Config.Backlog's figure, or nil when there is none or it
// cannot be read now (logged: a list is still worth showing without it).
func (s *Server) backlog(r *http.Request) *int {
	if s.cfg.Backlog == nil {
		return nil
	}
	n, err := s.cfg.Backlog(r.Context())
	if err != nil {
		s.cfg.Logger.WarnContext(r.Context(), "read the backlog for the ticket list", "code", string(ticketsum.ErrorCodeOf(err)))
		return nil
	}
	return &n
}
