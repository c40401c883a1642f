package web

import (
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// maxFilterLen bounds the product-line and search filters, in bytes.
const maxFilterLen = 200

// maxOffset bounds paging, so that a silly offset cannot make the store scan
// forever.
const maxOffset = 1_000_000

// parseFilter reads the filters and the order shared by the list page and
// the API: product_line, status, state, q, from, to (dates, YYYY-MM-DD, UTC;
// both days included), sort (updated, status, product_line) and reverse.
// Bad values give an EINVALID error naming the parameter.
func parseFilter(q url.Values) (ticketsum.TicketFilter, error) {
	var f ticketsum.TicketFilter
	for _, p := range []struct {
		name string
		dst  *string
	}{{"product_line", &f.ProductLine}, {"q", &f.Query}} {
		v := q.Get(p.name)
		if len(v) > maxFilterLen {
			return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter %s is longer than %d bytes", p.name, maxFilterLen)
		}
		if !utf8.ValidString(v) {
			return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter %s is not valid UTF-8", p.name)
		}
		*p.dst = v
	}
	if st := ticketsum.Status(q.Get("status")); st != "" {
		if !st.Valid() {
			return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter status must be resolved, awaiting_customer or awaiting_support")
		}
		f.Status = st
	}
	if st := ticketsum.TicketState(q.Get("state")); st != "" {
		if !st.Valid() {
			return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter state must be no_summary, outdated, summarized or failed")
		}
		f.State = st
	}
	f.Sort = ticketsum.SortUpdated
	if so := ticketsum.TicketSort(q.Get("sort")); so != "" {
		if !so.Valid() {
			return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter sort must be updated, status or product_line")
		}
		f.Sort = so
	}
	var err error
	if f.Reverse, err = boolParam(q, "reverse"); err != nil {
		return f, err
	}
	if f.UpdatedFrom, err = dayParam(q, "from"); err != nil {
		return f, err
	}
	if f.UpdatedTo, err = dayParam(q, "to"); err != nil {
		return f, err
	}
	if !f.UpdatedTo.IsZero() {
		f.UpdatedTo = f.UpdatedTo.AddDate(0, 0, 1) // the whole day
	}
	if !f.UpdatedFrom.IsZero() && !f.UpdatedTo.IsZero() && !f.UpdatedFrom.Before(f.UpdatedTo) {
		return f, ticketsum.Errorf(ticketsum.EINVALID, "query parameter from must not be after to")
	}
	return f, nil
}

// dayParam reads a date parameter (YYYY-MM-DD) as the start of that day in
// UTC, or the zero time when absent.
func dayParam(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1970 || d.Year() > 9999 {
		return time.Time{}, ticketsum.Errorf(ticketsum.EINVALID, "query parameter %s must be a date such as 2026-03-01", name)
	}
	return d, nil
}

// intParam reads an integer query parameter in [lo, hi], or def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "query parameter %s must be an integer from %d to %d", name, lo, hi)
	}
	return n, nil
}

// parseAPIFilter reads the API's filters and its limit and offset paging.
func (s *Server) parseAPIFilter(q url.Values) (ticketsum.TicketFilter, error) {
	f, err := parseFilter(q)
	if err != nil {
		return f, err
	}
	if f.Limit, err = intParam(q, "limit", s.cfg.PageSize, 1, s.cfg.MaxPageSize); err != nil {
		return f, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, maxOffset); err != nil {
		return f, err
	}
	return f, nil
}

// parsePageFilter reads the list page's filters and its 1-based page number.
func (s *Server) parsePageFilter(q url.Values) (ticketsum.TicketFilter, int, error) {
	f, err := parseFilter(q)
	if err != nil {
		return f, 0, err
	}
	page, err := intParam(q, "page", 1, 1, maxOffset/s.cfg.PageSize+1)
	if err != nil {
		return f, 0, err
	}
	f.Limit = s.cfg.PageSize
	f.Offset = (page - 1) * s.cfg.PageSize
	return f, page, nil
}
