package source

import "strings"

// queries are the SQL run on the team's tables, built once from the
// mapping with every identifier quoted.
type queries struct {
	// changes lists tickets after the watermark: $1 updated-at, $2 id, $3
	// limit. In table mode it returns the ticket columns too.
	changes string
	// messages returns the messages of the tickets in $1 (table mode).
	messages string
	// thread returns one ticket's thread, $1 its id (query mode).
	thread string
	// count counts tickets with updated_at >= $1; empty when unknown.
	count string
}

func buildQueries(m Mapping) queries {
	if !m.TableMode() {
		return queries{
			changes: trimStatement(m.ChangesQuery),
			thread:  trimStatement(m.ThreadQuery),
			count:   trimStatement(m.CountQuery),
		}
	}
	t, ms := m.Tickets, m.Messages
	col := func(name, cast, null string) string {
		if name == "" {
			return null
		}
		return quoteIdent(name) + cast
	}
	table, id, upd := quoteIdent(t.Table), quoteIdent(t.ID), quoteIdent(t.UpdatedAt)
	// ORDER BY names the table's columns: a bare "id" would name the
	// output column id::text, and a bigint id ordered as text disagrees
	// with the WHERE's comparison (10 sorts before 9), so a page's last
	// ticket could be passed over where several share an updated_at.
	tid, tupd := table+"."+id, table+"."+upd
	changes := "SELECT " + strings.Join([]string{
		id + "::text", upd,
		col(t.Subject, "::text", "NULL::text"),
		col(t.ProductLine, "::text", "NULL::text"),
		col(t.CustomerName, "::text", "NULL::text"),
		col(t.CustomerEmail, "::text", "NULL::text"),
		col(t.CreatedAt, "", "NULL::timestamptz"),
	}, ", ") + " FROM " + table +
		" WHERE (" + tupd + ", " + tid + ") > ($1, $2) ORDER BY " + tupd + ", " + tid + " LIMIT $3"
	mtable := quoteIdent(ms.Table)
	order := mtable + "." + quoteIdent(ms.TicketID) + ", " + mtable + "." + quoteIdent(ms.CreatedAt)
	if ms.ID != "" {
		order += ", " + mtable + "." + quoteIdent(ms.ID)
	}
	messages := "SELECT " + strings.Join([]string{
		quoteIdent(ms.TicketID) + "::text",
		quoteIdent(ms.Role) + "::text",
		col(ms.Author, "::text", "NULL::text"),
		quoteIdent(ms.CreatedAt),
		quoteIdent(ms.Body) + "::text",
	}, ", ") + " FROM " + mtable +
		" WHERE " + quoteIdent(ms.TicketID) + " = ANY($1) ORDER BY " + order
	return queries{
		changes:  changes,
		messages: messages,
		count:    "SELECT count(*) FROM " + table + " WHERE " + upd + " >= $1",
	}
}

// trimStatement drops surrounding space and one trailing ';' so that the
// statement can be wrapped.
func trimStatement(sql string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sql), ";"))
}
