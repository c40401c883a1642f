// Package web serves ticketsum over HTTP: a ticket list and a ticket page for
// reviewers, with the current summary at the top of every ticket and the
// thread below, and a JSON API over the same data.
//
// Routes:
//
//	GET /                     ticket list: filter by product line, status and text, paged
//	GET /tickets/{id}         ticket page: summary (status, model, prompt version, age, cost), then the thread
//	GET /api/tickets          JSON list with current summaries; query: product_line, status, q, limit, offset
//	GET /api/tickets/{id}     JSON ticket, current summary, staleness and summary history
//	GET /healthz              liveness: {"status":"ok"}
//	GET /static/style.css     the embedded stylesheet
//
// Further handlers (governance, ratings, review queue, /metrics, /v1/...) are
// mounted through Config.Mount and linked from the header through Config.Nav.
//
// web owns the page chrome of every HTML page in the product: head, header
// with the main navigation (Tickets, then Config.Nav), and footer. A mounted
// package renders its pages inside it with ParsePage (its templates define
// "content") and RenderPage, passing data that embeds Chrome (title, active
// header link, extra stylesheets, footer text).
//
// Templates and CSS are embedded; pages use no JavaScript and no external
// assets. Every piece of ticket text is untrusted and escaped by html/template;
// a Content-Security-Policy forbids scripts besides. Errors carry a
// ticketsum.ErrorCode, mapped to an HTTP status by HTTPStatus, and are written
// as {"error": {"code", "message"}} on API routes and as an HTML page
// elsewhere; uncoded errors show as "internal error" and are logged.
package web
