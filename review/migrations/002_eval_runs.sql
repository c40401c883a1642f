-- review: evaluation runs and their outputs, kept so that blind rating can
-- start from a run without an engineer (ticketsum review tasks create
-- --from-eval, the "Start a blind comparison" form) and so that eval
-- history lives beside the ratings. Bodies are JSON: the run with its
-- per-configuration metrics (eval.Run), one item per configuration and
-- ticket (eval.Item), and the dataset's tickets the rating page shows.
CREATE TABLE IF NOT EXISTS review_eval_runs (
    id         TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_eval_runs_started ON review_eval_runs (started_at);
CREATE TABLE IF NOT EXISTS review_eval_items (
    run_id    TEXT NOT NULL REFERENCES review_eval_runs (id) ON DELETE CASCADE,
    config    TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (run_id, config, ticket_id)
);
CREATE TABLE IF NOT EXISTS review_eval_tickets (
    run_id    TEXT NOT NULL REFERENCES review_eval_runs (id) ON DELETE CASCADE,
    ticket_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (run_id, ticket_id)
);
