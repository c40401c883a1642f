-- Tickets are stored whole as JSON text (doc; text, not jsonb, so that a
-- NUL escaped in a message body survives); the other columns serve lists.
CREATE TABLE tickets (
    id                 text PRIMARY KEY,
    product_line       text NOT NULL,
    search             text NOT NULL, -- lower-cased id and subject, for Query
    content_hash       text NOT NULL,
    sort_at            timestamptz NOT NULL, -- updated, else created, else stored time
    doc                text NOT NULL,
    current_summary_id bigint,
    stored_at          timestamptz NOT NULL
);

CREATE INDEX tickets_sort ON tickets (sort_at DESC, id COLLATE "C");
CREATE INDEX tickets_product_line ON tickets (product_line, sort_at DESC);

-- Every summary ever generated; the idempotency key is unique.
CREATE TABLE summaries (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id          text NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    content_hash       text NOT NULL,
    model              text NOT NULL,
    prompt_version     text NOT NULL,
    text               text NOT NULL,
    status             text NOT NULL,
    input_tokens       integer NOT NULL,
    output_tokens      integer NOT NULL,
    cache_read_tokens  integer NOT NULL,
    cache_write_tokens integer NOT NULL,
    cost_usd           double precision NOT NULL,
    latency_us         bigint NOT NULL,
    requested_model    text NOT NULL,
    principal          text NOT NULL,
    flags              jsonb NOT NULL,
    created_at         timestamptz NOT NULL
);

CREATE UNIQUE INDEX summaries_key ON summaries (ticket_id, content_hash, model, prompt_version);
CREATE INDEX summaries_history ON summaries (ticket_id, created_at DESC, id DESC);

ALTER TABLE tickets ADD CONSTRAINT tickets_current_summary_fk
    FOREIGN KEY (current_summary_id) REFERENCES summaries (id) ON DELETE SET NULL;
