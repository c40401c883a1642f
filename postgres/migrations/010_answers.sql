-- Paid model answers, recorded right after the call so that a re-run reuses
-- them instead of calling the model again (ticketsum.AnswerStore). The
-- answer is the summariser's Summary as JSON text; the first one per key
-- stays. No foreign key: the answer is kept whatever happens to the ticket.
CREATE TABLE answers (
    ticket_id      text NOT NULL,
    content_hash   text NOT NULL,
    model          text NOT NULL,
    prompt_version text NOT NULL,
    doc            text NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, content_hash, model, prompt_version)
);
