// Package access decides who may call which model and how much they may
// spend.
//
// A Principal is a team or a service: a name, use-case tags, a model
// allow-list of globs such as "bedrock:anthropic.claude-*", a requests-per-
// minute limit and a monthly budget in USD. Principals hold API keys of the
// form "tks_<prefix>_<secret>": 32 random bytes shown once at creation and
// stored only as a SHA-256 hash, found again by their 8-character prefix,
// with an expiry and a revocation time. An approved-model registry sits
// above every allow-list: a model that is not approved cannot be called by
// anyone.
//
// Budgets are enforced by reservation: before a call the caller's maximum
// cost is reserved with a single conditional UPDATE (spent + reserved + x <=
// budget), and after it the real cost is settled, so concurrent calls cannot
// overspend by more than one call's estimate error.
//
// The Service holds the logic, a Store keeps the state (SQLStore on SQLite or
// Postgres through database/sql, with its own embedded migrations and
// access_ tables), and Middleware puts the checks on the
// one model-call path.
package access
