-- audit: the hash-chained trail and its signed digests.
-- Portable SQL: runs unchanged on SQLite and Postgres. Times are unix
-- microseconds; money is integer micro-dollars. Rows are only ever
-- inserted: the application never updates or deletes them.
CREATE TABLE IF NOT EXISTS audit_records (
    seq                BIGINT PRIMARY KEY,
    at                 BIGINT NOT NULL,
    kind               TEXT NOT NULL,
    actor              TEXT NOT NULL,
    action             TEXT NOT NULL,
    target             TEXT NOT NULL,
    request_id         TEXT NOT NULL,
    ticket_id          TEXT NOT NULL,
    product_line       TEXT NOT NULL,
    use_case           TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    error_code         TEXT NOT NULL,
    input_tokens       BIGINT NOT NULL,
    output_tokens      BIGINT NOT NULL,
    cache_read_tokens  BIGINT NOT NULL,
    cache_write_tokens BIGINT NOT NULL,
    cost_micros        BIGINT NOT NULL,
    flags              TEXT NOT NULL,
    details            TEXT NOT NULL,
    prev_hash          TEXT NOT NULL,
    hash               TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_at ON audit_records (at);
CREATE TABLE IF NOT EXISTS audit_digests (
    n                BIGINT PRIMARY KEY,
    at               BIGINT NOT NULL,
    last_seq         BIGINT NOT NULL,
    last_hash        TEXT NOT NULL,
    record_count     BIGINT NOT NULL,
    prev_digest_hash TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    signature        TEXT NOT NULL
);
