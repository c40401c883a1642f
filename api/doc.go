// Package api serves ticketsum's governed HTTP API and the governance page.
//
// Routes (mount them on the web server through web.Config.Mount, with the
// map Handler.Routes returns):
//
//	POST /v1/summaries          a ticket (ticket JSON format) in, a summary out; ?model=, ?store=true
//	POST /v1/chat/completions   OpenAI-compatible chat completions, stream or not
//	GET  /v1/models             the models the caller's principal may call, OpenAI list shape
//	GET  /v1/tickets/{id}       a ticket the caller's principal stored, with its summary (scope read)
//	GET  /v1/usage              the caller's principal's calls, tokens and cost (scope read)
//	GET  /governance            the governance page (HTML)
//	GET  /api/governance        the same data as JSON
//	GET  /governance/style.css  the page's stylesheet
//
// Every /v1/ route requires an API key, sent as "Authorization: Bearer
// tks_..." or as "x-api-key: tks_...". The key is turned into a principal by
// the access service, and the principal and a request id (the caller's
// X-Request-Id when it is sane, otherwise a fresh one) travel on every model
// request's ticketsum.CallMeta, so that the gateway's access, budget and
// audit wrappers attribute the call. On /v1/chat/completions the governed
// model itself denies a call that is not approved, not allowed, rate
// limited or over budget, and the gateway's audit wrapper records the
// denial like any other call. On /v1/summaries the API also checks the
// model against the principal before building the summarizer, because a
// summarizer need not call a governed model (the built-in one calls none);
// with Config.Trail set, that refusal is recorded in the audit trail too.
//
// Keys carry scopes: summarize for the model routes, tickets:write for
// ?store=true, read for the two read routes, admin for all. A store never
// replaces a ticket imported, synced or stored by another principal unless
// the key has admin, and every store, allowed or refused, is an audit
// event. Each key may have Config.MaxConcurrentPerKey requests in flight; a
// body must arrive within Config.BodyReadTimeout and an answer be written
// within Config.WriteTimeout (streams: per event), after which the
// connection is closed.
//
// Errors are 401 (no, malformed, unknown, revoked or expired key), 403
// (model not approved or not in the principal's allow-list), 429 (rate limit
// or monthly budget, with Retry-After) and 400 for bad input, written as
// {"error": {"code", "message"}} on /v1/summaries and in OpenAI's shape
// {"error": {"message", "type", "param", "code"}} on the OpenAI-compatible
// routes, so that OpenAI SDK clients parse them. No message ever contains
// the secret part of a key.
//
// The governance page shows, for the current month (UTC), spend per
// principal against its budget and per model, guardrail interventions by
// type, denied calls by reason, calls and cost per day as inline SVG bars,
// recent admin actions from the audit trail and the trail's verification
// status. It reads them through BudgetSource and AuditSource, which
// *access.Service and *audit.Trail implement.
package api
