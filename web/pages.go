package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// listPage is the data of the ticket list.
type listPage struct {
	layout
	Filter       ticketsum.TicketFilter
	Items        []ticketsum.TicketView
	Total        int
	From, To     int
	Page         int
	PrevURL      string
	NextURL      string
	ProductLines []string
	Statuses     []ticketsum.Status
	Filtered     bool
}

// ticketPage is the data of a ticket page.
type ticketPage struct {
	layout
	*ticketData
	Messages []messageView
	Older    []*ticketsum.Summary
	Actions  []Link
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
	Status  int
	Code    ticketsum.ErrorCode
	Message string
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	f, page, err := s.parsePageFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	views, total, err := s.cfg.Store.ListTickets(r.Context(), f)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("list tickets: %w", err))
		return
	}
	p := listPage{
		layout:       s.layout("Tickets", "/"),
		Filter:       f,
		Items:        make([]ticketsum.TicketView, 0, len(views)),
		Total:        total,
		Page:         page,
		ProductLines: s.cfg.ProductLines,
		Statuses:     []ticketsum.Status{ticketsum.StatusResolved, ticketsum.StatusAwaitingCustomer, ticketsum.StatusAwaitingSupport},
		Filtered:     f.ProductLine != "" || f.Status != "" || f.Query != "",
	}
	for _, v := range views {
		if v.Ticket != nil {
			p.Items = append(p.Items, v)
		}
	}
	if len(p.Items) > 0 {
		p.From, p.To = f.Offset+1, f.Offset+len(p.Items)
	}
	if page > 1 {
		p.PrevURL = listURL(f, page-1)
	}
	if f.Offset+len(views) < total && len(views) > 0 {
		p.NextURL = listURL(f, page+1)
	}
	s.render(w, r, http.StatusOK, "list", p)
}

// listURL returns the list page's URL for a filter and page.
func listURL(f ticketsum.TicketFilter, page int) string {
	q := url.Values{}
	if f.ProductLine != "" {
		q.Set("product_line", f.ProductLine)
	}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.Query != "" {
		q.Set("q", f.Query)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadTicket(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := ticketPage{layout: s.layout(d.Ticket.ID+" "+d.Ticket.Subject, "/"), ticketData: d}
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

// writeError answers a failed request: JSON on API routes and for clients
// that ask for JSON, an HTML page elsewhere. Internal errors are logged and
// shown as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.Header.Get("Accept"), "application/json") {
		WriteJSONError(w, r, s.cfg.Logger, err)
		return
	}
	logError(s.cfg.Logger, r, err)
	d := errorDetail(err)
	status := HTTPStatus(d.Code)
	s.render(w, r, status, "error", errorPage{
		layout:  s.layout(http.StatusText(status), ""),
		Status:  status,
		Code:    d.Code,
		Message: d.Message,
	})
}
