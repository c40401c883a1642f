-- audit, SQLite only: audit_records.seq becomes the table's rowid. In SQLite
-- only a column declared exactly INTEGER PRIMARY KEY is the rowid; the
-- portable BIGINT PRIMARY KEY of 001_audit.sql keeps a separate unique
-- index that every append wrote besides the row. The table is copied
-- unchanged, row for row (seq, hashes and all: the chain and the digests
-- that cover it stay valid), in the migration's one transaction.
-- A seq that is not an integer (only a hand-edited table has one) makes
-- the copy fail and the migration roll back, leaving the table as it was.
CREATE TABLE audit_records_rowid (
    seq                INTEGER PRIMARY KEY,
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
INSERT INTO audit_records_rowid (seq, at, kind, actor, action, target, request_id, ticket_id,
    product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cost_micros, flags, details, prev_hash, hash)
SELECT seq, at, kind, actor, action, target, request_id, ticket_id,
    product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cost_micros, flags, details, prev_hash, hash
FROM audit_records ORDER BY seq;
DROP TABLE audit_records;
ALTER TABLE audit_records_rowid RENAME TO audit_records;
CREATE INDEX audit_records_at ON audit_records (at);
