package api

import (
	"embed"
	"errors"
	"html/template"
	"net/http"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/chart"
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
	CallsChart template.HTML
	CostChart  template.HTML
	// ChartScripts draw the charts (the chart package's, served at
	// chart.Path by the process that mounts the handler).
	ChartScripts template.HTML
}

// errorPage is the data of an error page.
type errorPage struct {
	layout
	Status int
	web.ErrorDetail
}

func (h *Handler) layout(title string) layout {
	return web.Chrome{Title: title, Product: h.cfg.Title, Nav: h.cfg.Nav, Active: "/governance",
		Stylesheets: []string{"/governance/style.css", chart.Path + "chart.css"},
		Footer:      "spend and calls come from the audit trail; budgets from the access service."}
}

// serveGovernancePage handles GET /governance.
func (h *Handler) serveGovernancePage(w http.ResponseWriter, r *http.Request) {
	g, err := h.collect(r.Context())
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	p := governancePage{layout: h.layout("Governance"), Governance: g, ChartScripts: chart.Scripts()}
	var cerr, err2 error
	p.CallsChart, cerr = dayChart("calls-per-day", "Calls per day", g.Days, func(d DaySpend) float64 { return float64(d.Calls) }, func(v float64) string { return count(int(v)) }, "")
	p.CostChart, err2 = dayChart("cost-per-day", "Cost per day", g.Days, func(d DaySpend) float64 { return d.CostUSD }, usd, "${value}")
	if err := errors.Join(cerr, err2); err != nil {
		h.failPage(w, r, err)
		return
	}
	// The charts are drawn by scripts from this origin.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; "+chart.CSP+"; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
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
	d := web.ReportError(h.cfg.Logger, r, err)
	status := web.HTTPStatus(d.Code)
	h.render(w, r, status, h.pages.errorPage, errorPage{layout: h.layout(http.StatusText(status)), Status: status, ErrorDetail: d})
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
