package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/ticketsum/ticketsum"
)

// listPage is the data of the ticket list.
type listPage struct {
	layout
	Filter ticketsum.TicketFilter
	// DateFrom and DateTo are the date range as the form shows it
	// (YYYY-MM-DD, both days included).
	DateFrom, DateTo string
	Items            []ticketsum.TicketView
	Total            int
	From, To         int // the rows shown, 1-based
	Page, Pages      int
	PrevURL, NextURL string
	PageLinks        []pageLink
	// Columns are the sortable column headers, in table order.
	Columns      []sortLink
	ProductLines []string
	Statuses     []ticketsum.Status
	States       []stateOption
	Filtered     bool
	// Backlog is how many tickets wait for the worker; nil when unknown.
	Backlog *int
	// Failed is how many tickets are failed, and FailedURL lists them;
	// -1 when unknown.
	Failed    int
	FailedURL string
	// Keep are the filters and order the page-jump form carries along.
	Keep []hiddenField
}

// pageLink is one link of the numbered pager; Gap marks an ellipsis.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// sortLink is a sortable column header: its label and class, the URL that
// sorts by it (or reverses it when it is the current order) and its
// aria-sort value.
type sortLink struct {
	Label, Class string
	URL          string
	Aria         string // "ascending", "descending" or "" when not the order
}

// stateOption is one choice of the state filter.
type stateOption struct {
	Value ticketsum.TicketState
	Label string
}

// hiddenField is a name and value a form carries.
type hiddenField struct{ Name, Value string }

// states are the state filter's choices.
var states = []stateOption{
	{ticketsum.StateNoSummary, "No summary yet"},
	{ticketsum.StateOutdated, "Outdated"},
	{ticketsum.StateSummarized, "Summarised"},
	{ticketsum.StateFailed, "Failed"},
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
		DateFrom:     day(f.UpdatedFrom),
		Items:        make([]ticketsum.TicketView, 0, len(views)),
		Total:        total,
		Page:         page,
		Pages:        max(1, (total+s.cfg.PageSize-1)/s.cfg.PageSize),
		ProductLines: s.cfg.ProductLines,
		Statuses:     []ticketsum.Status{ticketsum.StatusResolved, ticketsum.StatusAwaitingCustomer, ticketsum.StatusAwaitingSupport},
		States:       states,
		Filtered: f.ProductLine != "" || f.Status != "" || f.State != "" || f.Query != "" ||
			!f.UpdatedFrom.IsZero() || !f.UpdatedTo.IsZero(),
		Backlog:   s.backlog(r),
		Failed:    s.failedCount(r),
		FailedURL: listURL(ticketsum.TicketFilter{State: ticketsum.StateFailed}, 1),
		Keep:      keepFields(f),
	}
	if !f.UpdatedTo.IsZero() {
		p.DateTo = day(f.UpdatedTo.AddDate(0, 0, -1)) // the form shows the last day included
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
	if page < p.Pages {
		p.NextURL = listURL(f, page+1)
	}
	p.PageLinks = pageLinks(f, page, p.Pages)
	p.Columns = sortLinks(f)
	s.render(w, r, http.StatusOK, "list", p)
}

// failedCount returns how many tickets are failed, or -1 when the server
// keeps no failures or they cannot be counted now (logged).
func (s *Server) failedCount(r *http.Request) int {
	if s.cfg.Failures == nil {
		return -1
	}
	_, n, err := s.cfg.Failures.ListFailures(r.Context(), ticketsum.FailureFilter{Limit: 1})
	if err != nil {
		s.cfg.Logger.WarnContext(r.Context(), "count failed tickets for the ticket list", "code", string(ticketsum.ErrorCodeOf(err)))
		return -1
	}
	return n
}

// pageLinks returns the numbered pager: the first and last pages, and two
// on each side of the current one, with gaps between.
func pageLinks(f ticketsum.TicketFilter, page, pages int) []pageLink {
	nums := []int{1}
	for n := max(2, page-2); n <= min(pages-1, page+2); n++ {
		nums = append(nums, n)
	}
	if pages > 1 {
		nums = append(nums, pages)
	}
	var out []pageLink
	for i, n := range nums {
		if i > 0 && n > nums[i-1]+1 {
			out = append(out, pageLink{Gap: true})
		}
		out = append(out, pageLink{N: n, URL: listURL(f, n), Current: n == page})
	}
	return out
}

// sortLinks returns the headers of the sortable columns. The current
// order's header reverses it; another one sorts by its column.
func sortLinks(f ticketsum.TicketFilter) []sortLink {
	cols := []struct {
		sort         ticketsum.TicketSort
		label, class string
	}{
		{ticketsum.SortProductLine, "Product line", "c-line"},
		{ticketsum.SortStatus, "Status", "c-status"},
		{ticketsum.SortUpdated, "Updated", "c-upd"},
	}
	out := make([]sortLink, 0, len(cols))
	for _, c := range cols {
		g := f
		g.Sort, g.Reverse = c.sort, false
		l := sortLink{Label: c.label, Class: c.class}
		if f.Sort == c.sort {
			g.Reverse = !f.Reverse
			// Updated is newest first; the others A to Z.
			if (c.sort == ticketsum.SortUpdated) != f.Reverse {
				l.Aria = "descending"
			} else {
				l.Aria = "ascending"
			}
		}
		l.URL = listURL(g, 1)
		out = append(out, l)
	}
	return out
}

// keepFields are the filters and order as hidden form fields, for the
// page-jump form.
func keepFields(f ticketsum.TicketFilter) []hiddenField {
	q := listQuery(f)
	var out []hiddenField
	for _, name := range slices.Sorted(maps.Keys(q)) {
		out = append(out, hiddenField{name, q.Get(name)})
	}
	return out
}

// listQuery returns the query of a filter, without paging.
func listQuery(f ticketsum.TicketFilter) url.Values {
	q := url.Values{}
	set := func(name, v string) {
		if v != "" {
			q.Set(name, v)
		}
	}
	set("product_line", f.ProductLine)
	set("status", string(f.Status))
	set("state", string(f.State))
	set("q", f.Query)
	set("from", day(f.UpdatedFrom))
	if !f.UpdatedTo.IsZero() {
		set("to", day(f.UpdatedTo.AddDate(0, 0, -1)))
	}
	if f.Sort != "" && f.Sort != ticketsum.SortUpdated {
		set("sort", string(f.Sort))
	}
	if f.Reverse {
		set("reverse", "true")
	}
	return q
}

// listURL returns the list page's URL for a filter and page.
func listURL(f ticketsum.TicketFilter, page int) string {
	q := listQuery(f)
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// day formats a time as a date (YYYY-MM-DD, UTC), "" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
