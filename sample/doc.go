// Package sample holds the bundled sample of support tickets that
// `ticketsum serve` loads on first start with an empty store, so that a
// newcomer sees summarised tickets in the browser within seconds.
//
// The tickets were written for this project: fifty threads of a fictional
// point-of-sale company ("Tillwise") across five product lines (billing,
// mobile-app, web-dashboard, integrations-api, hardware). They are realistic
// on purpose: HTML bodies, quoted replies, signatures, pasted logs and stack
// traces, internal notes, threads in Spanish, German and French, and customer
// names, emails, phone numbers and order numbers in the text for redaction to
// find. All names, emails and numbers are fictional (emails use the reserved
// .example domain). Each ticket carries its labelled expected_status, so the
// sample doubles as a small status-accuracy check.
//
// The tickets are stored as JSONL in tickets.jsonl, in the ticket JSON format,
// and embedded in the binary.
package sample
