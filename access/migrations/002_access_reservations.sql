-- access: open budget reservations, so that those of a process that died
-- between reserve and settle can be released (Service.ReleaseStaleReservations).
CREATE TABLE IF NOT EXISTS access_reservations (
    id         TEXT PRIMARY KEY,
    principal  TEXT NOT NULL,
    period     TEXT NOT NULL,
    micros     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_reservations_created ON access_reservations (created_at);
