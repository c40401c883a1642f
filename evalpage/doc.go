// Package evalpage shows evaluation runs as pages of the product's UI, in
// the shared layout (web.ParsePage): /evals lists the kept runs over time
// with a history chart of the chosen figure, and /evals/{run} answers the
// product manager's question in words first (the recommended configuration
// and why, with its weekly and monthly cost; which configuration missed
// which bar by how much; which could not be evaluated and why), then a card
// per configuration, a quality-against-cost chart with the bar as a line,
// and the summaries of a sample of tickets side by side, status
// differences highlighted, with one button that starts the blind rating of
// that sample (a form posted to the review package's /review/tasks/new).
//
// WriteStandalone writes the same run page as one self-contained HTML file
// (inline styles and chart scripts) for `ticketsum eval --html FILE`.
//
// Charts come from package chart; runs, outputs and tickets from the
// review package's eval store.
package evalpage
