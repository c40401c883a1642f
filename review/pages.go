package review

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// queuePage is the data of the queue page.
type queuePage struct {
	layout
	State            State
	States           []State
	StateLabel       string
	Items            []*QueueItem
	Total, From, To  int
	PrevURL, NextURL string
	SharePercent     string
}

// itemPage is the data of one queue item's page.
type itemPage struct {
	layout
	Ticket          *ticketsum.Ticket
	Messages        []ticketsum.Message
	Item            *QueueItem
	Stale           bool
	MaxWords        int
	Back            string
	RegenerateEvery string
}

// ticketPage is the data of a ticket's review page.
type ticketPage struct {
	layout
	Ticket          *ticketsum.Ticket
	Messages        []ticketsum.Message
	Current         *ticketsum.Summary
	Back            string
	RegenerateEvery string
}

func (h *handler) handleQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st := State(q.Get("state"))
	if st == "" {
		st = Pending
	}
	if !st.Valid() {
		h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "state %q is not pending, approved, rejected or edited", truncate(string(st), 20)))
		return
	}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "page must be a number from 1"))
			return
		}
		page = n
	}
	size := h.s.cfg.PageSize
	items, total, err := h.s.Queue(r.Context(), QueueFilter{State: st, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := queuePage{
		layout: h.layout(w, r, "Review queue", "queue"), State: st, States: []State{Pending, Approved, Edited, Rejected},
		StateLabel: map[State]string{Pending: "waiting for review", Approved: "approved", Edited: "edited", Rejected: "rejected"}[st],
		Items:      items, Total: total, SharePercent: strconv.FormatFloat(100*h.s.cfg.SampleShare, 'f', -1, 64) + "%",
	}
	if len(items) > 0 {
		p.From, p.To = (page-1)*size+1, (page-1)*size+len(items)
	}
	if page > 1 {
		p.PrevURL = fmt.Sprintf("/review/?state=%s&page=%d", st, page-1)
	}
	if p.To < total && len(items) > 0 {
		p.NextURL = fmt.Sprintf("/review/?state=%s&page=%d", st, page+1)
	}
	h.render(w, r, http.StatusOK, "queue", p)
}

// summaryID parses the {id} of a queue path.
func summaryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "%q is not a summary id", truncate(r.PathValue("id"), 30))
	}
	return id, nil
}

func (h *handler) handleItem(w http.ResponseWriter, r *http.Request) {
	id, err := summaryID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	item, err := h.s.cfg.Store.FindQueueItem(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.s.cfg.Tickets.FindTicket(r.Context(), item.TicketID)
	if err != nil {
		h.fail(w, r, fmt.Errorf("load ticket %s: %w", item.TicketID, err))
		return
	}
	h.render(w, r, http.StatusOK, "item", itemPage{
		layout: h.layout(w, r, "Review "+t.ID, "queue"), Ticket: t, Messages: t.Messages, Item: item,
		Stale: item.ContentHash != "" && item.ContentHash != t.ContentHash(), MaxWords: h.s.cfg.MaxWords,
		Back: r.URL.Path, RegenerateEvery: every(h.s.cfg.RegenerateInterval),
	})
}

func (h *handler) handleDecide(w http.ResponseWriter, r *http.Request) {
	id, err := summaryID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := Decision{State: State(r.PostFormValue("action")), Reviewer: h.raterOf(r), Comment: strings.TrimSpace(r.PostFormValue("comment"))}
	if d.State == Edited {
		d.EditedText = r.PostFormValue("edited_text")
	}
	if _, err := h.s.Decide(r.Context(), id, d); err != nil {
		h.fail(w, r, err)
		return
	}
	rememberRater(w, strings.TrimSpace(d.Reviewer))
	next := "/review/?done=" + string(d.State)
	if items, _, err := h.s.cfg.Store.ListQueue(r.Context(), QueueFilter{State: Pending, Limit: 1}); err == nil && len(items) > 0 {
		next = fmt.Sprintf("/review/queue/%d?done=%s", items[0].SummaryID, d.State)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *handler) handleTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := h.s.cfg.Tickets.FindTicket(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur, err := h.s.cfg.Tickets.CurrentSummary(ctx, t.ID)
	if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "ticket", ticketPage{
		layout: h.layout(w, r, "Review "+t.ID, "queue"), Ticket: t, Messages: t.Messages, Current: cur,
		Back: r.URL.Path, RegenerateEvery: every(h.s.cfg.RegenerateInterval),
	})
}

func (h *handler) handleEnqueue(w http.ResponseWriter, r *http.Request) {
	item, err := h.s.EnqueueCurrent(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/review/queue/%d", item.SummaryID), http.StatusSeeOther)
}

func (h *handler) handleRegenerate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.s.Regenerate(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/review/") && !strings.HasPrefix(back, "/tickets/") || strings.ContainsAny(back, "\\?#") || strings.Contains(back, "//") {
		back = "/review/tickets/" + url.PathEscape(id)
	}
	http.Redirect(w, r, back+"?done=regenerate", http.StatusSeeOther)
}

// every says a duration in words for "at most once every ...".
func every(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "minute"
	case d%time.Hour == 0 && d > time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d == time.Hour:
		return "hour"
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return d.String()
}
