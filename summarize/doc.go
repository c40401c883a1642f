// Package summarize is the one-ticket pipeline: it takes a ticket, passes it
// through access checks, input redaction and a Summarizer (the built-in one
// or an LLM behind the gateway), validates and guards the output, and saves
// the summary idempotently.
package summarize
