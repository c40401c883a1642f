// Package web serves ticketsum over HTTP: a ticket list and a ticket page for
// reviewers, with the current summary at the top of every ticket and the
// thread below, and a JSON API over the same data.
//
// Routes:
//
//	GET  /                               ticket list: search, filters, sortable columns, numbered pages, backlog
//	GET  /tickets/{id}                   ticket page: failure and Retry, summary (status, model, prompt, age, cost), thread
//	POST /tickets/{id}/retry             the Retry button (303 back to the page)
//	POST /tickets/{id}/regenerate        the Regenerate button: a new summary even of an unchanged thread
//	GET  /api/tickets                    JSON list; query: q, product_line, status, state, from, to, sort, reverse, limit, offset
//	GET  /api/tickets/{id}               JSON ticket, state, current summary, staleness, failure and summary history
//	POST /api/tickets/{id}/retry         another attempt at a failed ticket (202)
//	POST /api/tickets/{id}/regenerate    a new summary; ?force=true even when the current one is of the latest thread (202)
//	GET  /healthz                        liveness: {"status":"ok"}
//	GET  /static/style.css               the embedded stylesheet
//
// The list serves 50,000 tickets and more: the stores answer every filter,
// order and full-text search from one narrow index (see docs/web.md for the
// figures). Retry and Regenerate queue work through Config.Retry and
// Config.Regenerate (the queue's); POSTs must pass the standard library's
// cross-origin check, so a page elsewhere cannot make a browser post here.
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
// assets. The layout has a skip link, visible keyboard focus, and a header
// that becomes two rows on a phone; TestBrowserAccessibility checks both
// widths with axe-core's WCAG 2.2 A and AA rules. Every piece of ticket text is untrusted and escaped by html/template;
// a Content-Security-Policy forbids scripts besides. Errors carry a
// ticketsum.ErrorCode, mapped to an HTTP status by HTTPStatus, and are written
// as {"error": {"code", "message"}} on API routes and as an HTML page
// elsewhere; uncoded errors show as "internal error" and are logged.
package web
