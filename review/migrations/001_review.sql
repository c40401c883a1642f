-- review: blind rating tasks, their hidden label mapping, ratings, the
-- production review queue and the regenerate rate limit.
-- Portable SQL: runs unchanged on SQLite and Postgres. Times are unix
-- microseconds (0 = unset).
CREATE TABLE IF NOT EXISTS review_tasks (
    id         TEXT PRIMARY KEY,
    source     TEXT NOT NULL,
    ticket_id  TEXT NOT NULL,
    method     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_tasks_source ON review_tasks (source, created_at);
CREATE TABLE IF NOT EXISTS review_candidates (
    task_id        TEXT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    position       INTEGER NOT NULL,
    config         TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    summary_id     BIGINT NOT NULL,
    text           TEXT NOT NULL,
    PRIMARY KEY (task_id, label)
);
CREATE TABLE IF NOT EXISTS review_ratings (
    task_id    TEXT NOT NULL REFERENCES review_tasks (id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    rater      TEXT NOT NULL,
    method     TEXT NOT NULL,
    score      INTEGER NOT NULL,
    chosen     TEXT NOT NULL,
    comment    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, label, rater)
);
CREATE TABLE IF NOT EXISTS review_queue (
    summary_id     BIGINT PRIMARY KEY,
    ticket_id      TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    text           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    sampled_at     BIGINT NOT NULL,
    state          TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    edited_text    TEXT NOT NULL,
    comment        TEXT NOT NULL,
    decided_at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_queue_state ON review_queue (state, sampled_at);
CREATE INDEX IF NOT EXISTS review_queue_ticket ON review_queue (ticket_id);
CREATE TABLE IF NOT EXISTS review_regenerations (
    ticket_id TEXT PRIMARY KEY,
    last_at   BIGINT NOT NULL
);
