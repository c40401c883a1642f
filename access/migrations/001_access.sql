-- access: principals, API keys (hashes only), approved models, budgets.
-- Portable SQL: runs unchanged on SQLite and Postgres. Times are unix
-- microseconds (0 = unset); money is integer micro-dollars.
CREATE TABLE IF NOT EXISTS access_principals (
    name                  TEXT PRIMARY KEY,
    use_cases             TEXT NOT NULL,
    models                TEXT NOT NULL,
    requests_per_minute   INTEGER NOT NULL,
    monthly_budget_micros BIGINT NOT NULL,
    created_at            BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_keys (
    prefix     TEXT PRIMARY KEY,
    principal  TEXT NOT NULL REFERENCES access_principals (name),
    hash       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_keys_principal ON access_keys (principal);
CREATE TABLE IF NOT EXISTS access_models (
    name        TEXT PRIMARY KEY,
    approved_by TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    note        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_budgets (
    principal       TEXT NOT NULL,
    period          TEXT NOT NULL,
    spent_micros    BIGINT NOT NULL,
    reserved_micros BIGINT NOT NULL,
    PRIMARY KEY (principal, period)
);
