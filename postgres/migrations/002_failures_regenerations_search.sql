-- The failed state: at most one failure per ticket, kept until a later
-- attempt succeeds (see ticketsum.Failure).
CREATE TABLE ticket_failures (
    ticket_id       text PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    content_hash    text NOT NULL, -- the thread that failed
    code            text NOT NULL,
    class           text NOT NULL,
    reason          text NOT NULL,
    attempts        integer NOT NULL,
    last_attempt_at timestamptz NOT NULL,
    regeneration    integer NOT NULL
);

CREATE INDEX ticket_failures_recent ON ticket_failures (last_attempt_at DESC, ticket_id COLLATE "C");

-- A regeneration a person asked for is a new summary of the same thread,
-- model and prompt: it joins the idempotency key.
ALTER TABLE summaries ADD COLUMN regeneration integer NOT NULL DEFAULT 0;
DROP INDEX summaries_key;
CREATE UNIQUE INDEX summaries_key ON summaries (ticket_id, content_hash, model, prompt_version, regeneration);

-- Lists filter and sort on the current summary's status and on whether it
-- is of the latest thread without reading summaries: tickets keep both
-- (NULL without a summary). Full-text search covers the subject and the
-- current summary (ids are matched as substrings of tickets.search). A
-- trigger keeps all three up to date whenever the subject, the thread or
-- the current summary changes (summaries never change). The 'simple' configuration lower-cases words and does not stem
-- them, as SQLite's unicode61 tokenizer does. The function keeps the
-- search_path of the migration, so that it finds summaries in this schema
-- whoever updates tickets. Rows written before this migration take their
-- subject from search (after the id and a newline).
ALTER TABLE tickets ADD COLUMN summary_status text;
ALTER TABLE tickets ADD COLUMN summary_current boolean;
ALTER TABLE tickets ADD COLUMN subject text NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN text_search tsvector;

CREATE FUNCTION tickets_current_summary() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    cur summaries%ROWTYPE;
BEGIN
    SELECT * INTO cur FROM summaries WHERE id = NEW.current_summary_id;
    NEW.summary_status := cur.status;
    NEW.summary_current := cur.content_hash = NEW.content_hash;
    NEW.text_search := to_tsvector('simple', NEW.subject || ' ' || coalesce(cur.text, ''));
    RETURN NEW;
END
$$;

CREATE TRIGGER tickets_current_summary BEFORE INSERT OR UPDATE OF subject, content_hash, current_summary_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_current_summary();

UPDATE tickets SET subject = substr(search, strpos(search, E'\n') + 1);

-- Lists read this index alone (index-only scans), never the table, whose
-- rows hold the tickets' documents (about 2 kB each once compressed): the
-- filters, orders and searches of a list of 50,000 tickets scan 50,000
-- narrow entries at most. A full-text search is or-ed with the id
-- substring match, so it is evaluated on the entries rather than through
-- a GIN index. It replaces the indexes on (sort_at, id), its prefix, and
-- on product line.
CREATE INDEX tickets_list ON tickets (sort_at DESC, id COLLATE "C")
    INCLUDE (current_summary_id, summary_current, summary_status, product_line, search, text_search);
DROP INDEX tickets_sort;
DROP INDEX tickets_product_line;
