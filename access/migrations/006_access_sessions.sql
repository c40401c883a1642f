-- access: the web UI's sessions. A session cookie names its session's id;
-- the session is valid only while its row is here and not ended, so that
-- signing out ends a copy of the cookie too, before the cookie expires.
CREATE TABLE IF NOT EXISTS access_sessions (
    id         TEXT PRIMARY KEY,
    actor      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS access_sessions_expires ON access_sessions (expires_at);
