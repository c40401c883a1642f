// Package queue is ticketsum's durable work queue: River
// (github.com/riverqueue/river) on the store's own database, through
// riversqlite on the SQLite store's *sql.DB or riverpgxv5 on the Postgres
// store's pool. River's migrations are applied when the queue is created.
//
// One job kind, "summarize", carries {ticket_id, content_hash} and is unique
// on those args while it waits or runs, so importing the same thread twice
// makes one job. Import upserts a ticket and, when its thread changed,
// enqueues its job in the same transaction: the ticket and its job commit
// together or not at all.
//
// Workers call the Handler the wiring code supplies (the one-ticket
// pipeline) and state their intent through the error's code: EINVALID,
// EFORBIDDEN and ENOTFOUND cancel the job with the error recorded as the
// reason; ETHROTTLED snoozes it for Config.SnoozeFor without using an
// attempt; anything else is retried with River's exponential backoff until
// Config.MaxAttempts. Stop is graceful: running jobs finish, or when the
// context given to Stop ends they are cancelled and go back to the queue for
// a retry; jobs of a killed process are rescued after Config.RescueAfter.
package queue
