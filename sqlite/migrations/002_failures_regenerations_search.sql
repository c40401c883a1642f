-- The failed state: at most one failure per ticket, kept until a later
-- attempt succeeds (see ticketsum.Failure).
CREATE TABLE ticket_failures (
    ticket_id       TEXT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    content_hash    TEXT NOT NULL, -- the thread that failed
    code            TEXT NOT NULL,
    class           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL, -- unix microseconds
    regeneration    INTEGER NOT NULL
);

CREATE INDEX ticket_failures_recent ON ticket_failures (last_attempt_at DESC, ticket_id);

-- A regeneration a person asked for is a new summary of the same thread,
-- model and prompt: it joins the idempotency key.
ALTER TABLE summaries ADD COLUMN regeneration INTEGER NOT NULL DEFAULT 0;
DROP INDEX summaries_key;
CREATE UNIQUE INDEX summaries_key ON summaries (ticket_id, content_hash, model, prompt_version, regeneration);

-- Lists filter and sort on the current summary's status and on whether it
-- is of the latest thread without reading summaries: tickets keep both
-- (NULL without a summary), set whenever the current summary or the thread
-- changes (summaries never change).
ALTER TABLE tickets ADD COLUMN summary_status TEXT;
ALTER TABLE tickets ADD COLUMN summary_current INTEGER; -- 1 when of the latest thread, 0 when outdated
UPDATE tickets SET (summary_status, summary_current) =
    (SELECT status, content_hash = tickets.content_hash FROM summaries WHERE id = tickets.current_summary_id);

CREATE TRIGGER tickets_summary_state AFTER UPDATE OF content_hash, current_summary_id ON tickets
WHEN OLD.current_summary_id IS NOT NEW.current_summary_id OR OLD.content_hash IS NOT NEW.content_hash BEGIN
    UPDATE tickets SET (summary_status, summary_current) =
        (SELECT status, content_hash = NEW.content_hash FROM summaries WHERE id = NEW.current_summary_id)
        WHERE id = NEW.id;
END;

-- Full-text search covers the subject and the current summary (ids are
-- matched as substrings of tickets.search). text_id is the ticket's row in
-- ticket_text: an explicit column, since an implicit rowid may change on
-- VACUUM. Rows written before this migration take their subject from
-- search (after the id and a newline).
ALTER TABLE tickets ADD COLUMN subject TEXT NOT NULL DEFAULT '';
UPDATE tickets SET subject = substr(search, instr(search, char(10)) + 1);
ALTER TABLE tickets ADD COLUMN text_id INTEGER;
UPDATE tickets SET text_id = rowid;
CREATE UNIQUE INDEX tickets_text_id ON tickets (text_id);

CREATE VIRTUAL TABLE ticket_text USING fts5 (subject, summary, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO ticket_text (rowid, subject, summary)
    SELECT t.text_id, t.subject, coalesce(s.text, '')
    FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id;

CREATE TRIGGER tickets_text_insert AFTER INSERT ON tickets BEGIN
    UPDATE tickets SET text_id = (SELECT coalesce(max(text_id), 0) + 1 FROM tickets) WHERE id = NEW.id;
    INSERT INTO ticket_text (rowid, subject, summary)
        SELECT text_id, NEW.subject, '' FROM tickets WHERE id = NEW.id;
END;

CREATE TRIGGER tickets_text_subject AFTER UPDATE OF subject ON tickets WHEN OLD.subject IS NOT NEW.subject BEGIN
    UPDATE ticket_text SET subject = NEW.subject WHERE rowid = NEW.text_id;
END;

CREATE TRIGGER tickets_text_summary AFTER UPDATE OF current_summary_id ON tickets
WHEN OLD.current_summary_id IS NOT NEW.current_summary_id BEGIN
    UPDATE ticket_text SET summary = coalesce((SELECT text FROM summaries WHERE id = NEW.current_summary_id), '')
        WHERE rowid = NEW.text_id;
END;

CREATE TRIGGER tickets_text_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_text WHERE rowid = OLD.text_id;
END;

-- Lists find a page's tickets in this index alone, without reading their
-- rows: SQLite stores a ticket's document inside its row, before the
-- columns lists need, so reading one of those from the row reads the whole
-- document. It replaces the index on (sort_at, id), its prefix, and the
-- one on product line, which led the planner to read rows.
CREATE INDEX tickets_list ON tickets (sort_at DESC, id, current_summary_id, summary_current, summary_status,
    product_line, text_id, search);
DROP INDEX tickets_sort;
DROP INDEX tickets_product_line;
