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
// Keys carry scopes (summarize, tickets:write, read, admin; see
// ScopeSummarize).
//
// The call path does no database reads: principals, keys and approvals are
// served from an in-memory snapshot that is confirmed against a version
// counter at most Config.CacheTTL (500 ms) old. Every change bumps the
// counter in its own transaction, so a key revoked by any process is
// refused by every process within the TTL.
//
// Budgets are enforced by reservation: before a call the caller's maximum
// cost is reserved with a conditional UPDATE (spent + reserved + x <=
// budget) and the open reservation is recorded with the call's request id;
// after the call the real cost is settled. Each process leases headroom of
// a principal's month from the database (Config.LeaseFraction of the
// budget at a time, one durable conditional UPDATE per lease, atomic
// across processes) and reserves and settles calls against it in memory;
// settled spend and unused headroom are written in group commits, in the
// audit trail's transaction when one is attached (Config.TrailCommits), so
// that a call recorded in the trail is charged in the same commit. The
// bound on overspend, across any number of processes: spend never exceeds
// the budget by more than what calls cost above their estimates, which is
// nothing when the estimate is the maximum cost (input tokens at the input
// price plus max tokens at the output price). The budget may be
// under-used, while a process holds headroom another is refused, by at
// most one lease (or one call's estimate) per other process. A killed
// process's lease keeps counting until another process's sweep (Run) or
// budget view (Budgets, Spend) releases it (Config.StaleAfter).
//
// The Service holds the logic, a Store keeps the state (SQLStore on SQLite or
// Postgres through database/sql, with its own embedded migrations and
// access_ tables), and Middleware puts the checks on the
// one model-call path.
package access
