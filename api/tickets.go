package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
)

// mayStore decides whether the caller may store ticket id (?store=true):
// its key needs the tickets:write scope, and a ticket that exists must
// have been stored through the API by the same principal, unless the key
// has the admin scope. A new ticket is claimed for the caller. It reports
// whether the store replaces an existing ticket.
func (h *Handler) mayStore(ctx context.Context, c *caller, id string) (bool, error) {
	if err := c.Key.RequireScope(access.ScopeTicketsWrite); err != nil {
		return false, err
	}
	admin := c.Key.HasScope(access.ScopeAdmin)
	_, err := h.cfg.Store.FindTicket(ctx, id)
	switch ticketsum.ErrorCodeOf(err) {
	case ticketsum.ENOTFOUND:
		owner, err := h.cfg.Owners.ClaimTicket(ctx, id, c.Principal.Name)
		if err != nil {
			return false, err
		}
		if owner != c.Principal.Name && !admin {
			return false, notYours(c, id, "principal "+owner)
		}
		return false, nil
	case "":
	default:
		return false, fmt.Errorf("look up ticket %s: %w", id, err)
	}
	owner, err := h.cfg.Owners.TicketOwner(ctx, id)
	if err != nil {
		return false, err
	}
	if owner == c.Principal.Name || admin {
		return true, nil
	}
	by := "an import or the source sync"
	if owner != "" {
		by = "principal " + owner
	}
	return false, notYours(c, id, by)
}

func notYours(c *caller, id, by string) error {
	return ticketsum.Errorf(ticketsum.EFORBIDDEN,
		"principal %s may not replace ticket %s, which was stored by %s (rule: ticket ownership): send it under a new id, or use a key with the admin scope (`ticketsum keys create --principal %s --scope admin`)",
		c.Principal.Name, truncate(id, 100), by, c.Principal.Name)
}

// recordStore records a store through the API in the audit trail, as an
// admin-kind event (a write to the ticket store). A failure to record is
// logged.
func (h *Handler) recordStore(r *http.Request, c *caller, t *ticketsum.Ticket, outcome string, err error, details map[string]string) {
	if h.cfg.Trail == nil {
		return
	}
	if details == nil {
		details = map[string]string{}
	}
	details["source"], details["key"] = "api", "tks_"+c.Key.Prefix+"_..."
	e := &audit.Event{Kind: audit.KindAdmin, Actor: c.Principal.Name, Action: "ticket.store", Target: t.ID,
		RequestID: c.RequestID, TicketID: t.ID, ProductLine: t.ProductLine, Outcome: outcome,
		ErrorCode: string(ticketsum.ErrorCodeOf(err)), Details: details}
	if rerr := h.cfg.Trail.Append(context.WithoutCancel(r.Context()), e); rerr != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "record ticket store in the audit trail", "request_id", c.RequestID, "err", rerr)
	}
}

// ticketAnswer is the body of GET /v1/tickets/{id}.
type ticketAnswer struct {
	Ticket  *ticketsum.Ticket  `json:"ticket"`
	Summary *ticketsum.Summary `json:"summary,omitempty"`
}

// serveTicket handles GET /v1/tickets/{id}: a ticket the caller's principal
// stored through the API, with its current summary. Keys with the admin
// scope read any ticket.
func (h *Handler) serveTicket(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	ctx := r.Context()
	owner, err := h.cfg.Owners.TicketOwner(ctx, id)
	if err == nil && owner != c.Principal.Name && !c.Key.HasScope(access.ScopeAdmin) {
		err = ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s not found among the tickets principal %s stored", truncate(id, 100), c.Principal.Name)
	}
	var a ticketAnswer
	if err == nil {
		a.Ticket, err = h.cfg.Store.FindTicket(ctx, id)
	}
	if err == nil {
		a.Summary, err = h.cfg.Store.CurrentSummary(ctx, id)
		if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
			a.Summary, err = nil, nil
		}
	}
	if err != nil {
		h.fail(w, r, nativeShape, c, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// serveUsage handles GET /v1/usage?days=N: the caller's principal's calls,
// tokens, cost and denials over the last N days (default 30, at most 366).
func (h *Handler) serveUsage(w http.ResponseWriter, r *http.Request, c *caller) {
	days := 30
	if v := r.URL.Query().Get("days"); v != "" {
		if _, err := fmt.Sscanf(v, "%d", &days); err != nil || days < 1 || days > 366 {
			h.fail(w, r, nativeShape, c, ticketsum.Errorf(ticketsum.EINVALID, "days=%q is not a number of days between 1 and 366", truncate(v, 20)))
			return
		}
	}
	since := h.cfg.Clock.Now().Add(-time.Duration(days) * 24 * time.Hour)
	rows, err := h.cfg.Audit.Usage(r.Context(), audit.ByPrincipal, since)
	if err != nil {
		h.fail(w, r, nativeShape, c, err)
		return
	}
	out := audit.UsageRow{Key: c.Principal.Name}
	for _, row := range rows {
		if row.Key == c.Principal.Name {
			out = row
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"principal": c.Principal.Name, "days": days, "usage": out})
}
