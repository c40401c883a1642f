-- Tickets are stored whole as JSON (doc); the other columns serve lists.
CREATE TABLE tickets (
    id                 TEXT PRIMARY KEY,
    product_line       TEXT NOT NULL,
    search             TEXT NOT NULL, -- lower-cased id and subject, for Query
    content_hash       TEXT NOT NULL,
    sort_at            INTEGER NOT NULL, -- unix microseconds: updated, else created, else stored time
    doc                TEXT NOT NULL,
    current_summary_id INTEGER REFERENCES summaries (id),
    stored_at          INTEGER NOT NULL
);

CREATE INDEX tickets_sort ON tickets (sort_at DESC, id);
CREATE INDEX tickets_product_line ON tickets (product_line, sort_at DESC);

-- Every summary ever generated; the idempotency key is unique.
CREATE TABLE summaries (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id          TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    content_hash       TEXT NOT NULL,
    model              TEXT NOT NULL,
    prompt_version     TEXT NOT NULL,
    text               TEXT NOT NULL,
    status             TEXT NOT NULL,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd           REAL NOT NULL,
    latency_us         INTEGER NOT NULL,
    requested_model    TEXT NOT NULL,
    principal          TEXT NOT NULL,
    flags              TEXT NOT NULL, -- JSON array
    created_at         INTEGER NOT NULL -- unix microseconds
);

CREATE UNIQUE INDEX summaries_key ON summaries (ticket_id, content_hash, model, prompt_version);
CREATE INDEX summaries_history ON summaries (ticket_id, created_at DESC, id DESC);
