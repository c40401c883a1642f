-- access: a version counter bumped in the same transaction as every change
-- to principals, keys or approved models, so that every process's
-- in-memory cache notices a change (a revoked key) within Config.CacheTTL;
-- key scopes; the request id of each reservation, so that one left by a
-- killed process is settled against the recorded call; the owner of each
-- ticket stored through the API.
CREATE TABLE IF NOT EXISTS access_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO access_version (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
ALTER TABLE access_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'summarize';
ALTER TABLE access_reservations ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS access_ticket_owners (
    ticket_id  TEXT PRIMARY KEY,
    principal  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
