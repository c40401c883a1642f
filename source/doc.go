// Package source reads tickets from a support team's own Postgres tables,
// without changing their schema, and feeds them to ticketsum: it maps the
// team's tickets and messages tables (or two SQL queries) to ticketsum
// tickets, detects new and changed threads by a watermark on their
// updated-at column, copies each changed thread into ticketsum's store and
// enqueues its summarise job in the same transaction that advances the
// watermark, backfills history in resumable pages, installs an optional
// LISTEN/NOTIFY trigger for lower latency, and writes finished summaries
// back to the team's own table by a configured statement.
//
// The team's tables and ticketsum's schema live in the same database: that
// is what lets one transaction hold the copied thread, its job and the
// advanced watermark. The team's tables are only ever read, through a
// connection pool whose transactions are read-only by default; the one
// write is the optional write-back statement.
//
// Correctness never rests on the watermark alone: a thread copied twice is
// recognised by its content hash and enqueues nothing, so a crash between
// any two steps, or two watchers racing, neither skips nor duplicates work.
package source
