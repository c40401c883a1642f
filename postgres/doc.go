// Package postgres is the ticketsum.Store on PostgreSQL through pgx v5
// (pgxpool). Its tables live in a ticketsum-owned schema ("ticketsum" by
// default), created on Open; the embedded migrations are applied under an
// advisory lock, so several workers may start at once.
//
// Tickets are kept whole as JSON text beside the columns that lists filter
// and sort on; every summary is kept as history, unique on (ticket, content
// hash, model, prompt version), and each ticket points at its current
// summary. UpsertTicketTx runs a callback in the ticket's transaction, which
// the queue package uses to enqueue the summarise job atomically; Pool
// returns the pool River runs on.
package postgres
