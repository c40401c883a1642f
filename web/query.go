package web

import (
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// maxFilterLen bounds the product-line and search filters, in bytes.
const maxFilterLen = 200

// maxOffset bounds paging, so that a silly offset cannot make the store scan
// forever.
const maxOffset = 1_000_000

// parseFilter reads the product_line, status and q filters shared by the list
// page and the API. Bad values give an EINVALID error naming the parameter.
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
	return f, nil
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
