package ticketdoc

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// Joins of a ticket list: the ticket (t), its current summary (s) and its
// failure (f).
const (
	joinSummary = ` LEFT JOIN summaries s ON s.id = t.current_summary_id`
	joinFailure = ` LEFT JOIN ticket_failures f ON f.ticket_id = t.id`
)

// Flavor is how a store spells the parts of a ticket list that differ
// between SQL databases.
type Flavor struct {
	// Contains is the condition that column %s holds the text of the
	// argument '?' ("instr(%s, ?) > 0").
	Contains string
	// Match is the full-text condition on the argument '?', which
	// receives the words of the query as Words returns them, passed
	// through Terms.
	Match string
	// Terms joins the query's words into the argument of Match.
	Terms func(words []string) string
	// Time turns a time into the argument compared with t.sort_at.
	Time func(time.Time) any
	// Bytewise is appended to a text column to sort it bytewise
	// (` COLLATE "C"` on Postgres), so that every store orders alike.
	Bytewise string
}

// List is the SQL of one ticket list, with '?' placeholders.
type List struct {
	// Count counts the tickets that match, with CountArgs.
	Count     string
	CountArgs []any
	// Page selects the columns asked for of one page of them, in order,
	// with PageArgs. It finds the page's ids first, reading only what the
	// filter and the order need (never a ticket's document), then joins
	// the rest for those ids alone.
	Page     string
	PageArgs []any
}

// BuildList returns the SQL of a list for a filter that CheckFilter has
// accepted; cols are the columns of t, s and f that Page selects.
func BuildList(f ticketsum.TicketFilter, fl Flavor, cols string) List {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.ProductLine != "" {
		add("t.product_line = ?", f.ProductLine)
	}
	if f.Status != "" {
		add("t.summary_status = ?", string(f.Status))
	}
	switch f.State {
	case ticketsum.StateFailed:
		add("f.ticket_id IS NOT NULL")
	case ticketsum.StateNoSummary:
		add("f.ticket_id IS NULL AND t.current_summary_id IS NULL")
	case ticketsum.StateOutdated:
		add("f.ticket_id IS NULL AND NOT t.summary_current")
	case ticketsum.StateSummarized:
		add("f.ticket_id IS NULL AND t.summary_current")
	}
	needF := f.State != ""
	if f.Query != "" {
		contains := strings.Replace(fl.Contains, "%s", "t.search", 1)
		if words := Words(f.Query); len(words) > 0 {
			add("("+contains+" OR "+fl.Match+")", f.Query, fl.Terms(words))
		} else {
			add(contains, f.Query)
		}
	}
	if !f.UpdatedFrom.IsZero() {
		add("t.sort_at >= ?", fl.Time(f.UpdatedFrom))
	}
	if !f.UpdatedTo.IsZero() {
		add("t.sort_at < ?", fl.Time(f.UpdatedTo))
	}
	from := " FROM tickets t"
	if needF {
		from += joinFailure
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	order := orderBy(f, fl)
	keys := "SELECT t.id AS id" + from + where + order + " LIMIT ? OFFSET ?"
	return List{
		Count:     "SELECT count(*)" + from + where,
		CountArgs: args,
		Page: "SELECT " + cols + " FROM (" + keys + ") page JOIN tickets t ON t.id = page.id" +
			joinSummary + joinFailure + order,
		PageArgs: append(append([]any(nil), args...), f.Limit, f.Offset),
	}
}

// orderBy returns the ORDER BY clause: the sort column, then update time
// newest first, then id, each reversed by f.Reverse except that tickets
// without a summary stay last when sorted by status.
func orderBy(f ticketsum.TicketFilter, fl Flavor) string {
	desc, asc := " DESC", ""
	if f.Reverse {
		desc, asc = "", " DESC"
	}
	newest := "t.sort_at" + desc + ", t.id" + fl.Bytewise + asc
	switch f.Sort {
	case ticketsum.SortStatus:
		return " ORDER BY (t.summary_status IS NULL), t.summary_status" + asc + ", " + newest
	case ticketsum.SortProductLine:
		return " ORDER BY t.product_line" + fl.Bytewise + asc + ", " + newest
	}
	return " ORDER BY " + newest
}

// MaxWords is how many words of a query the full-text search uses.
const MaxWords = 8

// Words returns the words of a search query for full-text search: runs of
// letters and digits, lower-cased, at most MaxWords of them, each at most
// 64 bytes. Everything else separates words, so the result is safe to
// quote into any full-text query syntax.
func Words(q string) []string {
	fields := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := make([]string, 0, min(len(fields), MaxWords))
	for _, w := range fields {
		if len(out) == MaxWords {
			break
		}
		if len(w) > 64 {
			w = w[:64]
			for !utf8.ValidString(w) {
				w = w[:len(w)-1]
			}
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
