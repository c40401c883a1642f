// Package review is the human side of evaluation: blind rating of candidate
// summaries, a review queue for production summaries, and the fine-tuning
// export of the summaries reviewers approved.
//
// Blind rating: NewEvalTasks and NewHistoryTasks turn an eval run's per-item
// outputs, or a ticket's production summary history, into Tasks. A Task
// shows one ticket's candidate summaries in a random order under the labels
// "A", "B", ...; the mapping from label to configuration (model and prompt
// version) is stored with the task and shown only in the Report. Raters
// give thumbs up/down or a 1-5 Likert score per summary, or choose the better
// of a pair. Ratings travel as CSV (WriteCSV, ReadCSV) and the Report gives,
// per configuration, the mean Likert score, the thumbs-up rate and the win
// rate in pairwise choices with their counts, and the agreement between
// raters (percent agreement; Cohen's kappa for two raters, Fleiss' kappa for
// more).
//
// Review queue: OnSummarySaved samples a configurable share of new
// production summaries into the queue, deterministically by a hash of the
// ticket and summary ids so that every worker agrees. Reviewers approve,
// reject or edit a summary (an edit must be one paragraph of at most 60
// words); approved and edited summaries feed ExportFinetune, which writes
// Amazon Bedrock's conversational fine-tuning JSONL
// ("bedrock-conversation-2024") with redacted tickets and refuses records in
// which personal data remains. Regenerate asks the wiring code's callback
// for a new summary, at most once per ticket per interval.
//
// Handler serves the pages (queue, one item, rating tasks, report, CSV
// export and import) and JSON endpoints under /review/; forms carry a
// per-server CSRF token and are checked for same origin.
//
// State lives in the review_ tables, created by SQLStore.Migrate on SQLite
// or Postgres through database/sql.
package review
