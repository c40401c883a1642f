package api

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/governance.css
var governanceCSS []byte

// pages holds the parsed page templates.
type pages struct {
	governance *template.Template
	errorPage  *template.Template
}

func parsePages() (*pages, error) {
	funcs := template.FuncMap{"usd": usd, "count": count, "count64": func(n int64) string { return count(int(n)) }, "percent": percent, "utc": utc}
	parse := func(name string) (*template.Template, error) {
		return web.ParsePage(name, funcs, templateFS, "templates/"+name+".html")
	}
	gov, err := parse("governance")
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "api: parse templates: %w", err)
	}
	errPage, err := parse("error")
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "api: parse templates: %w", err)
	}
	return &pages{governance: gov, errorPage: errPage}, nil
}

// layout is what every page's header and footer show: the shared chrome.
type layout = web.Chrome

// governancePage is the data of the governance page.
type governancePage struct {
	layout
	*Governance
	CallsChart chart
	CostChart  chart
}

// errorPage is the data of an error page.
type errorPage struct {
	layout
	Status  int
	Code    ticketsum.ErrorCode
	Message string
}

func (h *Handler) layout(title string) layout {
	return web.Chrome{Title: title, Product: h.cfg.Title, Nav: h.cfg.Nav, Active: "/governance",
		Stylesheets: []string{"/governance/style.css"},
		Footer:      "spend and calls come from the audit trail; budgets from the access service."}
}

// serveGovernancePage handles GET /governance.
func (h *Handler) serveGovernancePage(w http.ResponseWriter, r *http.Request) {
	g, err := h.collect(r.Context())
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	p := governancePage{layout: h.layout("Governance"), Governance: g,
		CallsChart: dayChart("Calls per day", g.Days, func(d DaySpend) float64 { return float64(d.Calls) }, func(v float64) string { return count(int(v)) }),
		CostChart:  dayChart("Cost per day", g.Days, func(d DaySpend) float64 { return d.CostUSD }, usd),
	}
	h.render(w, r, http.StatusOK, h.pages.governance, p)
}

// serveGovernanceJSON handles GET /api/governance.
func (h *Handler) serveGovernanceJSON(w http.ResponseWriter, r *http.Request) {
	g, err := h.collect(r.Context())
	if err != nil {
		web.WriteJSONError(w, r, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// failPage answers with an HTML error page.
func (h *Handler) failPage(w http.ResponseWriter, r *http.Request, err error) {
	web.LogError(h.cfg.Logger, r, err)
	d := web.UserError(err)
	status := web.HTTPStatus(d.Code)
	h.render(w, r, status, h.pages.errorPage, errorPage{layout: h.layout(http.StatusText(status)), Status: status, Code: d.Code, Message: d.Message})
}

// render writes a page with status through web.RenderPage.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, data any) {
	web.RenderPage(w, r, h.cfg.Logger, status, t, data)
}

// serveCSS serves the governance page's stylesheet.
func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(governanceCSS)
}
