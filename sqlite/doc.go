// Package sqlite is the embedded ticketsum.Store: one SQLite file through
// modernc.org/sqlite (pure Go, builds with CGO_ENABLED=0), in WAL mode with
// a busy timeout and foreign keys on, its schema migrations embedded and
// applied on Open.
//
// Tickets are kept whole as JSON beside the columns that lists filter and
// sort on; every summary is kept as history, unique on (ticket, content hash,
// model, prompt version), and each ticket points at its current summary.
//
// The store keeps a single connection, as River's SQLite driver requires
// (SQLite runs one writer at a time): the queue package runs River on the
// same *sql.DB (see DB) and UpsertTicketTx enqueues a job in the ticket's
// own transaction.
package sqlite
