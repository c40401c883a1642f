// Package queue is ticketsum's durable work queue: River
// (github.com/riverqueue/river) on the store's own database, through
// riversqlite on the SQLite store's *sql.DB or riverpgxv5 on the Postgres
// store's pool. River's migrations are applied when the queue is created.
//
// One job kind, "summarize", carries {ticket_id, content_hash,
// regeneration} and is unique on those args while it waits or runs, so
// importing the same thread twice makes one job. Import upserts a ticket
// and, when its thread changed, enqueues its job in the same transaction:
// the ticket and its job commit together or not at all. Regenerate
// enqueues a regeneration a person asked for (a new summary of an
// unchanged thread), worked by Config.Regenerate.
//
// A ticket ends with a summary or a visible failed state (ticketsum.Failure,
// kept in the store), never in neither. Workers call the Handler the wiring
// code supplies (the one-ticket pipeline) and apply the failure taxonomy of
// ticketsum.ClassOf to its error, as the API and the Lambda do:
//
//   - retryable (throttling, unavailability, timeouts, uncoded errors):
//     throttling snoozes the job for Config.SnoozeFor without using an
//     attempt, Config.MaxSnoozes times at most; anything else (and
//     throttling past that) is retried with River's exponential backoff,
//     and when Config.MaxAttempts are used the ticket is failed;
//   - config (credentials, access, a model not found or not approved, a
//     spent budget): the ticket is failed at once, with the error's message
//     naming the fix; Retry or RetryAll (`ticketsum failures retry`) tries
//     again once the configuration is fixed;
//   - bad_ticket and policy (a guardrail's block): the ticket is failed
//     with the reason; it is tried again when its thread changes.
//
// A failed ticket's job is cancelled with the error recorded by River; its
// failure records the code, class, reason, attempts and time of the last
// attempt, and is cleared by the next success (SaveSummary of its thread, or
// a run that found its summary already current). If the failure cannot be
// recorded the job is snoozed instead, so that it is not lost; a job whose
// ticket no longer exists is cancelled. Outcomes counts runs by outcome and
// failures by class and code, for Prometheus.
//
// Stop is graceful: running jobs finish, or when the context given to Stop
// ends they are cancelled and go back to the queue without using an
// attempt. Jobs of a killed process run again once its heartbeat stops
// (Config.LostAfter, lost.go), or after Config.RescueAfter when no
// heartbeat of it was ever written; Stats and ListStalled count them
// apart from the jobs live workers run.
package queue
