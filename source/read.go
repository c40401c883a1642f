package source

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ticketsum/ticketsum"
)

// position is a place in the team's tickets ordered by (updated_at, id).
// A nil ID is before every id at At.
type position struct {
	At time.Time
	ID *string
}

// change is one ticket listed after a position, with its thread read.
type change struct {
	pos    position
	ticket *ticketsum.Ticket
	// bad is set, instead of ticket, for a thread that cannot be a ticket
	// (no messages, an unmapped role): it is skipped.
	bad error
}

// page lists up to limit tickets after pos, in (updated_at, id) order, and
// reads their threads.
func (s *Source) page(ctx context.Context, after position, limit int) ([]change, error) {
	if s.cfg.TableMode() {
		return s.pageTables(ctx, after, limit)
	}
	return s.pageQueries(ctx, after, limit)
}

func (s *Source) pageTables(ctx context.Context, after position, limit int) ([]change, error) {
	rows, err := s.team.Query(ctx, s.q.changes, after.At, after.ID, limit)
	if err != nil {
		return nil, translate(err, "list changed tickets")
	}
	var out []change
	byID := map[string]int{}
	for rows.Next() {
		var id string
		var upd time.Time
		var subject, product, name, email *string
		var created *time.Time
		if err := rows.Scan(&id, &upd, &subject, &product, &name, &email, &created); err != nil {
			rows.Close()
			return nil, translate(err, "read changed tickets")
		}
		t := &ticketsum.Ticket{ID: id, Subject: deref(subject), ProductLine: deref(product),
			Customer: ticketsum.Customer{Name: deref(name), Email: deref(email)}, UpdatedAt: upd.UTC()}
		if created != nil {
			t.CreatedAt = created.UTC()
		}
		byID[id] = len(out)
		out = append(out, change{pos: position{At: upd, ID: &t.ID}, ticket: t})
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "list changed tickets")
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]string, len(out))
	for i, c := range out {
		ids[i] = c.ticket.ID
	}
	rows, err = s.team.Query(ctx, s.q.messages, ids)
	if err != nil {
		return nil, translate(err, "read messages")
	}
	defer rows.Close()
	for rows.Next() {
		var tid, role string
		var author, body *string
		var at *time.Time
		if err := rows.Scan(&tid, &role, &author, &at, &body); err != nil {
			return nil, translate(err, "read messages")
		}
		i, ok := byID[tid]
		if !ok || out[i].bad != nil {
			continue
		}
		m, err := s.message(tid, role, deref(author), at, deref(body))
		if err != nil {
			out[i].bad, out[i].ticket = err, nil
			continue
		}
		out[i].ticket.Messages = append(out[i].ticket.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "read messages")
	}
	for i := range out {
		if out[i].ticket != nil {
			if err := out[i].ticket.Validate(); err != nil {
				out[i].bad, out[i].ticket = err, nil
			}
		}
	}
	return out, nil
}

// message maps one row to a message, translating the team's role value.
func (s *Source) message(ticketID, role, author string, at *time.Time, body string) (ticketsum.Message, error) {
	r := ticketsum.Role(role)
	if to, ok := s.cfg.Messages.Roles[role]; ok {
		r = ticketsum.Role(to)
	}
	if !r.Valid() {
		if len(role) > 40 {
			role = role[:40] + "..."
		}
		return ticketsum.Message{}, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s has a message with role %q, which messages.roles does not map", ticketID, role)
	}
	m := ticketsum.Message{Role: r, Author: author, Body: body}
	if at != nil {
		m.At = at.UTC()
	}
	return m, nil
}

func (s *Source) pageQueries(ctx context.Context, after position, limit int) ([]change, error) {
	rows, err := s.team.Query(ctx, s.q.changes, after.At, after.ID, limit)
	if err != nil {
		return nil, translate(err, "run changes_query")
	}
	idCol, atCol := -1, -1
	for i, f := range rows.FieldDescriptions() {
		switch f.Name {
		case "id":
			idCol = i
		case "updated_at":
			atCol = i
		}
	}
	if idCol < 0 || atCol < 0 {
		rows.Close()
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "changes_query must return the columns id and updated_at")
	}
	var out []change
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			rows.Close()
			return nil, translate(err, "run changes_query")
		}
		at, ok := vals[atCol].(time.Time)
		if !ok {
			rows.Close()
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "changes_query: updated_at must be a timestamp, got %T", vals[atCol])
		}
		id := textOf(vals[idCol])
		out = append(out, change{pos: position{At: at, ID: &id}})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, translate(err, "run changes_query")
	}
	for i := range out {
		t, err := s.thread(ctx, *out[i].pos.ID)
		switch {
		case ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID:
			out[i].bad = err
		case err != nil:
			return nil, err
		default:
			if t.UpdatedAt.IsZero() {
				t.UpdatedAt = out[i].pos.At.UTC()
			}
			out[i].ticket = t
		}
	}
	return out, nil
}

// thread runs thread_query for one ticket.
func (s *Source) thread(ctx context.Context, id string) (*ticketsum.Ticket, error) {
	rows, err := s.team.Query(ctx, s.q.thread, id)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("run thread_query for ticket %s", id))
	}
	defer rows.Close()
	cols := map[string]int{}
	for i, f := range rows.FieldDescriptions() {
		cols[f.Name] = i
	}
	if _, ok := cols["role"]; !ok {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "thread_query must return the columns role and body")
	}
	if _, ok := cols["body"]; !ok {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "thread_query must return the columns role and body")
	}
	t := &ticketsum.Ticket{ID: id}
	first := true
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, translate(err, fmt.Sprintf("run thread_query for ticket %s", id))
		}
		str := func(name string) string {
			if i, ok := cols[name]; ok && vals[i] != nil {
				return textOf(vals[i])
			}
			return ""
		}
		tm := func(name string) *time.Time {
			if i, ok := cols[name]; ok {
				if v, ok := vals[i].(time.Time); ok {
					return &v
				}
			}
			return nil
		}
		if first {
			first = false
			t.Subject, t.ProductLine = str("subject"), str("product_line")
			t.Customer = ticketsum.Customer{Name: str("customer_name"), Email: str("customer_email")}
			if v := tm("created_at"); v != nil {
				t.CreatedAt = v.UTC()
			}
			if v := tm("updated_at"); v != nil {
				t.UpdatedAt = v.UTC()
			}
		}
		m, err := s.message(id, str("role"), str("author"), tm("at"), str("body"))
		if err != nil {
			return nil, err
		}
		t.Messages = append(t.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, fmt.Sprintf("run thread_query for ticket %s", id))
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// count returns how many tickets have updated_at >= since, or -1 when the
// mapping has no count query.
func (s *Source) count(ctx context.Context, since time.Time) (int64, error) {
	if s.q.count == "" {
		return -1, nil
	}
	var n int64
	if err := s.team.QueryRow(ctx, s.q.count, since).Scan(&n); err != nil {
		return 0, translate(err, "count source tickets")
	}
	return n, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// textOf renders a scanned value as text: ids of any type become strings.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case fmt.Stringer:
		return x.String()
	case [16]byte: // uuid
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
