-- access: access_leases loses its index on renewed_at. Every budget
-- settlement rewrites its lease row's renewed_at, so the index was one
-- more page written by every group commit that carries a charge (a WAL
-- frame on SQLite, about a fifth of a settling group's pages), and on
-- Postgres it kept those updates from being heap-only. Only the stale
-- lease sweep reads by renewed_at, once per sweep interval, over a table
-- of one row per process and principal's month.
DROP INDEX IF EXISTS access_leases_renewed;
