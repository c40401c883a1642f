package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// ticketPage is the data of a ticket page.
type ticketPage struct {
	layout
	*ticketData
	Messages []messageView
	Older    []*ticketsum.Summary
	Actions  []Link
	// CanRetry and CanRegenerate show the Retry and Regenerate buttons.
	CanRetry, CanRegenerate bool
	// Notice says what the last action did ("?done=retry").
	Notice string
	// CSRF is the forms' security token ("" without Config.CSRF).
	CSRF string
}

// messageView is a message ready to show.
type messageView struct {
	ticketsum.Message
	Blocks   []Block
	FromHTML bool
}

// errorPage is the data of the HTML error page.
type errorPage struct {
	layout
	Status int
	ErrorDetail
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadTicket(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := ticketPage{layout: s.layout(d.Ticket.ID+" "+d.Ticket.Subject, "/"), ticketData: d,
		CanRetry: s.cfg.Retry != nil && d.Failure != nil, CanRegenerate: s.cfg.Regenerate != nil, Notice: doneNotice(r.URL.Query())}
	if s.cfg.CSRF != nil {
		p.CSRF = s.cfg.CSRF.Token(w, r)
	}
	for _, l := range s.cfg.TicketLinks {
		p.Actions = append(p.Actions, Link{Label: l.Label, Path: strings.ReplaceAll(l.Path, "{id}", url.PathEscape(d.Ticket.ID))})
	}
	for _, m := range d.Ticket.Messages {
		mv := messageView{Message: m}
		body := m.Body
		if looksHTML(body) {
			body, mv.FromHTML = htmlToText(body), true
		}
		mv.Blocks = bodyBlocks(body)
		p.Messages = append(p.Messages, mv)
	}
	for _, h := range d.History {
		if d.Current == nil || h.ID != d.Current.ID || h.ContentHash != d.Current.ContentHash || h.Model != d.Current.Model || h.PromptVersion != d.Current.PromptVersion {
			p.Older = append(p.Older, h)
		}
	}
	s.render(w, r, http.StatusOK, "ticket", p)
}

// doneNotice says what the action the ticket page was redirected from did.
func doneNotice(q url.Values) string {
	switch q.Get("done") {
	case "retry":
		return "Another attempt was queued. The ticket stays failed until it succeeds; reload the page to see the result."
	case "regenerate":
		if n, err := strconv.Atoi(q.Get("n")); err == nil && n > 0 {
			return fmt.Sprintf("A new summary was requested (regeneration %d). It replaces this one once the worker has written it; reload the page to see it.", n)
		}
		return "A summary was requested. It appears here once the worker has written it; reload the page to see it."
	}
	return ""
}

// writeError answers a failed request: JSON on API routes and for clients
// that ask for JSON, an HTML page elsewhere, both with ReportError's
// message and reference.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.Header.Get("Accept"), "application/json") {
		WriteJSONError(w, r, s.cfg.Logger, err)
		return
	}
	d := reportError(s.cfg.Logger, r, err)
	status := HTTPStatus(d.Code)
	s.render(w, r, status, "error", errorPage{
		layout:      s.layout(http.StatusText(status), ""),
		Status:      status,
		ErrorDetail: d,
	})
}
