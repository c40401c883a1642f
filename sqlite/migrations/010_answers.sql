-- Paid model answers, recorded right after the call so that a re-run reuses
-- them instead of calling the model again (ticketsum.AnswerStore). The
-- answer is the summariser's Summary as JSON; the first one per key stays.
-- No foreign key: the answer is kept whatever happens to the ticket.
CREATE TABLE answers (
    ticket_id      TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    doc            TEXT NOT NULL,
    created_at     INTEGER NOT NULL, -- unix microseconds
    PRIMARY KEY (ticket_id, content_hash, model, prompt_version)
);
