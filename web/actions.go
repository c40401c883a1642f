package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ticketsum/ticketsum"
)

// RetryJSON is the body of POST /api/tickets/{id}/retry: Queued is false
// when an attempt already waited.
type RetryJSON struct {
	TicketID string `json:"ticket_id"`
	Queued   bool   `json:"queued"`
}

// RegenerateJSON is the body of POST /api/tickets/{id}/regenerate: the
// number the new summary will carry (0 for a thread not summarised yet)
// and whether a job was added (false when the same one already waited).
type RegenerateJSON struct {
	TicketID     string `json:"ticket_id"`
	Regeneration int    `json:"regeneration"`
	Queued       bool   `json:"queued"`
}

// noQueue is the error of an action on a server that runs without a queue.
func noQueue(what string) error {
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "this server cannot %s: it runs without a work queue (use ticketsum serve, or the ticketsum failures command)", what)
}

// retry queues another attempt at a failed ticket.
func (s *Server) retry(r *http.Request, id string) (bool, error) {
	if s.cfg.Retry == nil {
		return false, noQueue("retry tickets")
	}
	d, err := s.loadTicket(r, id)
	if err != nil {
		return false, err
	}
	if d.Failure == nil {
		return false, ticketsum.Errorf(ticketsum.ECONFLICT, "ticket %s is not failed: nothing to retry", id)
	}
	queued, err := s.cfg.Retry(r.Context(), id)
	if err != nil {
		return false, fmt.Errorf("retry ticket %s: %w", id, err)
	}
	return queued, nil
}

// regenerate queues a new summary of the ticket's latest thread. Unless
// force is set, a ticket whose summary is current for its thread is left
// alone (ECONFLICT): a new one is asked for explicitly.
func (s *Server) regenerate(r *http.Request, id string, force bool) (int, bool, error) {
	if s.cfg.Regenerate == nil {
		return 0, false, noQueue("regenerate summaries")
	}
	d, err := s.loadTicket(r, id)
	if err != nil {
		return 0, false, err
	}
	if !force && d.State() == ticketsum.StateSummarized {
		return 0, false, ticketsum.Errorf(ticketsum.ECONFLICT, "the summary of ticket %s is current for its thread; pass force=true for a new one", id)
	}
	n, queued, err := s.cfg.Regenerate(r.Context(), id)
	if err != nil {
		return 0, false, fmt.Errorf("regenerate ticket %s: %w", id, err)
	}
	return n, queued, nil
}

func (s *Server) handleAPIRetry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	queued, err := s.retry(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, RetryJSON{TicketID: id, Queued: queued})
}

func (s *Server) handleAPIRegenerate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	force, err := boolParam(r.URL.Query(), "force")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, queued, err := s.regenerate(r, id, force)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, RegenerateJSON{TicketID: id, Regeneration: n, Queued: queued})
}

// handleFormRetry is the ticket page's Retry button: it queues the attempt
// and goes back to the page, which says so.
func (s *Server) handleFormRetry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.retry(r, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, ticketURL(id)+"?done=retry", http.StatusSeeOther)
}

// handleFormRegenerate is the ticket page's Regenerate button: a new
// summary even when the thread is unchanged.
func (s *Server) handleFormRegenerate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, _, err := s.regenerate(r, id, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, ticketURL(id)+"?done=regenerate&n="+strconv.Itoa(n), http.StatusSeeOther)
}

// ticketURL is the path of a ticket's page.
func ticketURL(id string) string { return "/tickets/" + url.PathEscape(id) }

// maxActionBody bounds the body of an action POST, which needs none.
const maxActionBody = 4 << 10

// action guards a POST that changes state: the standard library's
// cross-origin check (a page elsewhere cannot make a browser post here) and
// a small body limit.
func (s *Server) action(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.cop.Check(r); err != nil {
			s.writeError(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN, "cross-origin requests are refused; use the ticket page or call the API from your own client"))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxActionBody)
		if s.cfg.CSRF != nil {
			if err := s.cfg.CSRF.CheckCSRF(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		next(w, r)
	}
}

// boolParam reads a true/false query parameter, false when absent.
func boolParam(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, ticketsum.Errorf(ticketsum.EINVALID, "query parameter %s must be true or false", name)
}
