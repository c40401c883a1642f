package review

import (
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/review.css
var reviewCSS []byte

//go:embed static/review.js
var reviewJS []byte

// handler serves the review pages and API.
type handler struct {
	s     *Service
	pages map[string]*template.Template
	csrf  string
	cop   *http.CrossOriginProtection
}

// Handler returns the pages and JSON API to mount at "/review/" beside the
// web server (web.Config.Mount["/review/"]). Forms carry a CSRF token made
// from Config.CSRFSecret; every POST must also pass the standard library's
// cross-origin check (Sec-Fetch-Site / Origin), and JSON POSTs must be
// application/json.
func (s *Service) Handler() (http.Handler, error) {
	h := &handler{s: s, cop: http.NewCrossOriginProtection(), csrf: s.staticToken()}
	funcs := template.FuncMap{
		"when":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"pathEscape": url.PathEscape,
		"opt":        fmtOpt,
		"statusClass": func(s ticketsum.Status) string {
			return "st-" + strings.ReplaceAll(string(s), "_", "-") // the web package's badge classes
		},
		"statusLabel": func(s ticketsum.Status) string {
			return map[ticketsum.Status]string{ticketsum.StatusResolved: "Resolved", ticketsum.StatusAwaitingCustomer: "Waiting on customer",
				ticketsum.StatusAwaitingSupport: "Waiting on support"}[s]
		},
	}
	h.pages = map[string]*template.Template{}
	for _, name := range []string{"queue", "item", "ticket", "tasks", "task", "report", "error"} {
		t, err := web.ParsePage(name, funcs, templateFS, "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "review: parse templates: %w", err)
		}
		h.pages[name] = t
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /review/{$}", h.handleQueue)
	mux.HandleFunc("GET /review/queue/{id}", h.handleItem)
	mux.HandleFunc("POST /review/queue/{id}", h.form(h.handleDecide))
	mux.HandleFunc("GET /review/tickets/{id}", h.handleTicket)
	mux.HandleFunc("POST /review/tickets/{id}/queue", h.form(h.handleEnqueue))
	mux.HandleFunc("POST /review/tickets/{id}/regenerate", h.form(h.handleRegenerate))
	mux.HandleFunc("GET /review/tasks", h.handleTasks)
	mux.HandleFunc("GET /review/tasks/{id}", h.handleTask)
	mux.HandleFunc("POST /review/tasks/new", h.form(h.handleStart))
	mux.HandleFunc("POST /review/tasks/{id}", h.form(h.handleRate))
	mux.HandleFunc("GET /review/report", h.handleReport)
	mux.HandleFunc("GET /review/ratings.csv", h.handleExport)
	mux.HandleFunc("POST /review/ratings.csv", h.form(h.handleImport))
	mux.HandleFunc("GET /review/static/review.css", h.handleCSS)
	mux.HandleFunc("GET /review/static/review.js", h.handleJS)
	mux.HandleFunc("GET /review/api/queue", h.apiQueue)
	mux.HandleFunc("GET /review/api/queue/{id}", h.apiItem)
	mux.HandleFunc("POST /review/api/queue/{id}", h.api(h.apiDecide))
	mux.HandleFunc("GET /review/api/tasks", h.apiTasks)
	mux.HandleFunc("POST /review/api/tasks", h.api(h.apiCreateTasks))
	mux.HandleFunc("GET /review/api/tasks/{id}", h.apiTask)
	mux.HandleFunc("POST /review/api/tasks/{id}/ratings", h.api(h.apiRate))
	mux.HandleFunc("GET /review/api/report", h.apiReport)
	mux.HandleFunc("POST /review/api/tickets/{id}/regenerate", h.api(h.apiRegenerate))
	mux.HandleFunc("/review/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, ticketsum.Errorf(ticketsum.ENOTFOUND, "there is nothing at %s", truncate(r.URL.Path, 200)))
	})
	return mux, nil
}

// MaxFormBytes bounds a form or JSON body; MaxUploadBytes a CSV upload.
const (
	MaxFormBytes   = 1 << 20
	MaxUploadBytes = 32 << 20
)

// form wraps a form POST handler with the cross-origin check and the CSRF
// token check.
func (h *handler) form(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h.cop.Check(r); err != nil {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN, "cross-origin form posts are refused"))
			return
		}
		limit := int64(MaxFormBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = MaxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if limit == MaxUploadBytes {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "the form could not be read (too large or malformed)"))
			return
		}
		if h.s.cfg.CSRF != nil {
			if err := h.s.cfg.CSRF.CheckCSRF(r); err != nil {
				h.fail(w, r, err)
				return
			}
		} else if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(h.csrf)) != 1 {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN, "the form's security token is missing or stale; reload the page and try again"))
			return
		}
		next(w, r)
	}
}

// api wraps a JSON POST handler with the cross-origin check and requires a
// JSON body, which browsers cannot send cross-origin without a preflight.
func (h *handler) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h.cop.Check(r); err != nil {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN, "cross-origin requests are refused"))
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "send the body as application/json"))
			return
		}
		if h.s.cfg.CSRF != nil {
			if err := h.s.cfg.CSRF.CheckCSRF(r); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
		next(w, r)
	}
}

// isAPI reports whether r wants a JSON answer.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/review/api/") || strings.HasPrefix(r.Header.Get("Accept"), "application/json")
}

// errorPage is the data of the HTML error page.
type errorPage struct {
	layout
	Status  int
	Heading string
	web.ErrorDetail
	Rows []RowError
}

// fail answers a failed request: JSON on the API, an HTML page elsewhere.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		web.WriteJSONError(w, r, h.s.cfg.Logger, err)
		return
	}
	d := web.ReportError(h.s.cfg.Logger, r, err)
	status := web.HTTPStatus(d.Code)
	p := errorPage{layout: h.layout(w, r, http.StatusText(status), ""), Status: status, Heading: http.StatusText(status), ErrorDetail: d}
	var ie *ImportError
	if asImportError(err, &ie) {
		p.Message, p.Rows = fmt.Sprintf("%d bad rows; nothing was imported.", len(ie.Rows)), ie.Rows
	}
	h.render(w, r, status, "error", p)
}

// layout is what every review page's chrome shows: web's shared header and
// footer, and the review sub-navigation with Section marked current.
type layout struct {
	web.Chrome
	Section string
	Flash   string
	CSRF    string
	Rater   string
	// SignedIn says Rater is the signed-in person, not a name to type.
	SignedIn bool
}

// signedIn returns the name of the signed-in person behind r ("" when
// raters type their name).
func (h *handler) signedIn(r *http.Request) string {
	if h.s.cfg.Rater == nil {
		return ""
	}
	return h.s.cfg.Rater(r)
}

// raterOf returns who made a form post: the signed-in person, else the
// form's rater field.
func (h *handler) raterOf(r *http.Request) string {
	if name := h.signedIn(r); name != "" {
		return name
	}
	return strings.TrimSpace(r.PostFormValue("rater"))
}

// layout returns a page's chrome; section is the sub-navigation tab to mark
// ("queue", "tasks", "report" or "" for none).
func (h *handler) layout(w http.ResponseWriter, r *http.Request, title, section string) layout {
	l := layout{
		Chrome:  web.Chrome{Title: title, Product: h.s.cfg.Title, Nav: h.s.cfg.Nav, Active: "/review/", Stylesheets: []string{"/review/static/review.css"}},
		Section: section, CSRF: h.csrf, Flash: flashes[r.URL.Query().Get("done")],
	}
	if h.s.cfg.CSRF != nil {
		l.CSRF = h.s.cfg.CSRF.Token(w, r)
	}
	if name := h.signedIn(r); name != "" {
		l.Rater, l.SignedIn = name, true
		return l
	}
	if c, err := r.Cookie(raterCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil && len(v) <= MaxRaterLength {
			l.Rater = v
		}
	}
	return l
}

// flashes are the messages a redirect can ask for with ?done=.
var flashes = map[string]string{
	"approved":    "Approved. Thank you.",
	"rejected":    "Rejected. Thank you.",
	"edited":      "Edit saved. Thank you.",
	"rated":       "Ratings saved.",
	"started":     "Blind comparison started. Rate each ticket's summaries; which configuration wrote which is shown after you save.",
	"all-rated":   "You have rated every task of this comparison; the report shows the results.",
	"regenerate":  "A new summary was requested; it appears on the ticket once the worker has written it.",
	"imported":    "Ratings imported.",
	"queue-empty": "Nothing more to review here.",
}

const raterCookie = "review_rater"

// rememberRater keeps the rater's name for the next form.
func rememberRater(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: raterCookie, Value: url.QueryEscape(name), Path: "/review/", MaxAge: 90 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// render writes a page with status through web.RenderPage, with the
// security headers the review pages need even when mounted elsewhere.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	web.RenderPage(w, r, h.s.cfg.Logger, status, h.pages[page], data)
}

func (h *handler) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(reviewCSS)
}

// handleJS serves the rating page's keyboard shortcuts; the pages work
// without it.
func (h *handler) handleJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(reviewJS)
}
