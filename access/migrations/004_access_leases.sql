-- access: budget leases. Each process holds headroom of a principal's
-- month (counted in access_budgets.reserved_micros) and reserves calls
-- from it in memory; a lease whose holder stopped renewing it is released
-- by another process's sweep. Open per-call reservations left by an older
-- binary become leases of their own, released by that sweep.
CREATE TABLE IF NOT EXISTS access_leases (
    id         TEXT PRIMARY KEY,
    principal  TEXT NOT NULL,
    period     TEXT NOT NULL,
    micros     BIGINT NOT NULL,
    holder     TEXT NOT NULL,
    renewed_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_leases_renewed ON access_leases (renewed_at);
INSERT INTO access_leases (id, principal, period, micros, holder, renewed_at)
    SELECT id, principal, period, micros, 'per-call reservation', created_at FROM access_reservations;
DELETE FROM access_reservations;
