package evalpage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/evals.css
var evalsCSS string

// Store is where the pages read runs from: the review package's
// review.EvalStore (SQLStore) implements it.
type Store interface {
	// ListRuns returns every run, oldest first.
	ListRuns(ctx context.Context) ([]*eval.Run, error)
	// FindEvalRun returns the run with id, or ENOTFOUND.
	FindEvalRun(ctx context.Context, id string) (*eval.Run, error)
	// EvalItems returns a run's outputs.
	EvalItems(ctx context.Context, runID string) ([]eval.Item, error)
	// FindEvalTicket returns a ticket of a run's dataset, or ENOTFOUND.
	FindEvalTicket(ctx context.Context, runID, ticketID string) (*ticketsum.Ticket, error)
}

// Config configures the pages.
type Config struct {
	// Store holds the runs. Required.
	Store Store
	// Product is the product name in the layout. Default "ticketsum".
	Product string
	// Nav are the header links after Tickets; the pages mark Path
	// "/evals" as current.
	Nav []web.Link
	// StartAction is where the button that starts a blind rating posts
	// (run, config, ticket and csrf fields). Default "/review/tasks/new".
	StartAction string
	// FormToken returns the CSRF token that StartAction checks
	// (review.Service.FormToken). Default none: the page shows no button
	// and says where to start the rating instead.
	FormToken func(w http.ResponseWriter, r *http.Request) string
	// Logger logs failures to render or read. Default slog.Default().
	Logger *slog.Logger
}

// Handler serves /evals, /evals/{run}, /evals/{run}/tickets/{id} and the
// pages' stylesheet.
type Handler struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// cssPath is where the pages' own stylesheet is served.
const cssPath = "/evals/static/evals.css"

// csp lets the pages load their own styles and the chart scripts, and
// post forms to this origin only.
const csp = "default-src 'none'; " + chart.CSP + "; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// New checks cfg and parses the pages, or returns EINVALID.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "evalpage: Config.Store is required")
	}
	if cfg.Product == "" {
		cfg.Product = "ticketsum"
	}
	if cfg.StartAction == "" {
		cfg.StartAction = "/review/tasks/new"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, pages: pages, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /evals", h.handleList)
	h.mux.HandleFunc("GET /evals/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/evals", http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("GET "+cssPath, h.handleCSS)
	h.mux.HandleFunc("GET /evals/{run}", h.handleRun)
	h.mux.HandleFunc("GET /evals/{run}/tickets/{id}", h.handleTicket)
	h.mux.HandleFunc("/evals/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, ticketsum.Errorf(ticketsum.ENOTFOUND, "there is nothing at %s", truncate(r.URL.Path, 200)))
	})
	return h, nil
}

// Routes returns the patterns to mount beside the web server
// (web.Config.Mount) with the handler.
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{"/evals": h, "/evals/": h}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// parsePages parses every page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"pathEscape": url.PathEscape,
		"statusClass": func(s ticketsum.Status) string {
			if s == "" {
				return "none"
			}
			return strings.ReplaceAll(string(s), "_", "-")
		},
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"list", "run", "ticket", "error"} {
		t, err := web.ParsePage(name, funcs, templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// chrome is the layout's data for a page titled title.
func (h *Handler) chrome(title string) web.Chrome {
	return web.Chrome{Title: title, Product: h.cfg.Product, Nav: h.cfg.Nav, Active: "/evals",
		Stylesheets: []string{chart.Path + "chart.css", cssPath}}
}

// listRun is one run of /evals.
type listRun struct {
	ID, Started, Dataset, Verdict, Detail string
	Recommended                           bool
}

// figureOption is one choice of the history chart's figure.
type figureOption struct {
	Key, Name string
	Selected  bool
}

// listPage is the data of /evals.
type listPage struct {
	web.Chrome
	Runs       []listRun
	Figures    []figureOption
	FigureName string
	Chart      chartView
	Scripts    template.HTML
}

func (h *Handler) handleList(w http.ResponseWriter, r *http.Request) {
	runs, err := h.cfg.Store.ListRuns(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key := r.URL.Query().Get("figure")
	if !slices.ContainsFunc(historyFigures, func(f historyFigure) bool { return f.Key == key }) {
		key = "quality"
	}
	p := listPage{Chrome: h.chrome("Evaluations"), Scripts: chart.Scripts()}
	p.Chart, p.FigureName = historyChart(runs, key)
	for _, f := range historyFigures {
		p.Figures = append(p.Figures, figureOption{Key: f.Key, Name: f.Name, Selected: f.Key == key})
	}
	for i := len(runs) - 1; i >= 0; i-- {
		p.Runs = append(p.Runs, listRunOf(runs[i]))
	}
	web.RenderPage(w, r, h.cfg.Logger, http.StatusOK, h.pages["list"], p)
}

// listRunOf says in one line what a run recommends and how it went.
func listRunOf(run *eval.Run) listRun {
	rep := ReportOf(run)
	lr := listRun{ID: run.ID, Started: run.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), Dataset: fmt.Sprintf("%s, %d tickets", run.Dataset.Name, run.Dataset.Tickets)}
	lr.Verdict, lr.Recommended = headline(rep)
	var passed, failed, errs int
	for _, m := range run.Configurations {
		switch {
		case m.Errors > 0:
			errs++
		case m.PassesBars:
			passed++
		default:
			failed++
		}
	}
	lr.Detail = fmt.Sprintf("%d %s: %d met every bar, %d missed one, %d could not be evaluated", len(run.Configurations),
		plural(len(run.Configurations), "configuration", "configurations"), passed, failed, errs)
	if src := run.Config["source"]; src != "" {
		lr.Detail += " · imported from " + src
	}
	return lr
}

// startForm is the button that starts the blind rating of the sample.
type startForm struct {
	Action, Token string
	Tickets       []string
	Configs       []startConfig
}

// startConfig is one configuration the rating may compare.
type startConfig struct {
	Name    string
	Checked bool
}

// runPage is the data of /evals/{run} and of the standalone file.
type runPage struct {
	web.Chrome
	Served    bool
	Run       runView
	Start     *startForm
	StartNote string
	Sections  []template.HTML
	Scripts   template.HTML
}

func (h *Handler) handleRun(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	run, err := h.cfg.Store.FindEvalRun(ctx, r.PathValue("run"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.cfg.Store.EvalItems(ctx, run.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := RunData{ID: run.ID, Report: ReportOf(run), Items: items, Tickets: map[string]*ticketsum.Ticket{}}
	link := func(id string) string { return "/evals/" + url.PathEscape(run.ID) + "/tickets/" + url.PathEscape(id) }
	// Subjects of the sample only: at most sampleSize reads.
	rv := buildRun(d, nil)
	for _, s := range rv.Samples {
		t, err := h.cfg.Store.FindEvalTicket(ctx, run.ID, s.TicketID)
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		d.Tickets[s.TicketID] = t
	}
	p := runPage{Chrome: h.chrome("Evaluation " + run.ID), Served: true, Run: buildRun(d, link), Scripts: chart.Scripts()}
	if h.cfg.FormToken != nil {
		p.Start = startOf(h.cfg.StartAction, h.cfg.FormToken(w, r), d.Report, p.Run.Samples)
	}
	if p.Start == nil && len(p.Run.Samples) > 0 {
		p.StartNote = "Start a blind rating of this run on the Review · Blind rating page."
	}
	web.RenderPage(w, r, h.cfg.Logger, http.StatusOK, h.pages["run"], p)
}

// startOf makes the start form of a run's sample: every configuration
// that summarised it, with the recommended one and the next cheapest
// that met every bar (or the best of the rest) checked, two or three in
// all. Nil without a sample or with fewer than two configurations.
func startOf(action, token string, rep *eval.Report, samples []sample) *startForm {
	if len(samples) == 0 || len(samples[0].Cells) < 2 {
		return nil
	}
	f := &startForm{Action: action, Token: token}
	for _, s := range samples {
		f.Tickets = append(f.Tickets, s.TicketID)
	}
	var names []string
	for _, c := range samples[0].Cells {
		names = append(names, c.Config)
	}
	checked := preferred(rep, names)
	for _, n := range names {
		f.Configs = append(f.Configs, startConfig{Name: n, Checked: slices.Contains(checked, n)})
	}
	return f
}

// preferred chooses the two or three configurations a rating compares by
// default: all of them when there are at most three, else the
// recommended one and those that met every bar by cost, then the rest by
// cost.
func preferred(rep *eval.Report, names []string) []string {
	if len(names) <= 3 {
		return names
	}
	order := slices.Clone(names)
	rank := func(n string) (int, float64) {
		m := byName(rep, n)
		switch {
		case m == nil:
			return 3, 0
		case n == rep.Cheapest:
			return 0, m.CostPerWeekUSD
		case m.PassesBars:
			return 1, m.CostPerWeekUSD
		}
		return 2, m.CostPerWeekUSD
	}
	slices.SortStableFunc(order, func(a, b string) int {
		ra, ca := rank(a)
		rb, cb := rank(b)
		if ra != rb {
			return ra - rb
		}
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	})
	return order[:3]
}

// ticketPage is the data of /evals/{run}/tickets/{id}.
type ticketPage struct {
	web.Chrome
	RunID  string
	Ticket *ticketsum.Ticket
	Cells  []cell
}

func (h *Handler) handleTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	runID, id := r.PathValue("run"), r.PathValue("id")
	if _, err := h.cfg.Store.FindEvalRun(ctx, runID); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.cfg.Store.FindEvalTicket(ctx, runID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.cfg.Store.EvalItems(ctx, runID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := ticketPage{Chrome: h.chrome(ticketTitle(t)), RunID: runID, Ticket: t}
	for _, it := range items {
		if it.TicketID != id {
			continue
		}
		c := cell{Config: it.Config, Summary: it.Summary, Status: it.Status, Error: it.Error}
		for _, f := range it.Flags {
			for _, fn := range flagNames {
				if strings.HasPrefix(f, fn.prefix) {
					c.Flags = append(c.Flags, fn.name)
				}
			}
		}
		p.Cells = append(p.Cells, c)
	}
	markDiffers(p.Cells, t.ExpectedStatus)
	web.RenderPage(w, r, h.cfg.Logger, http.StatusOK, h.pages["ticket"], p)
}

func ticketTitle(t *ticketsum.Ticket) string {
	if t.Subject != "" {
		return t.Subject
	}
	return "Ticket " + t.ID
}

func (h *Handler) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(evalsCSS))
}

// errorPage is the data of the error page.
type errorPage struct {
	web.Chrome
	Status  int
	Heading string
	web.ErrorDetail
}

// fail answers err as an error page with its status: the message of a
// coded error as web.ReportError gives it, with its reference.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	d := web.ReportError(h.cfg.Logger, r, err)
	status := web.HTTPStatus(d.Code)
	heading := map[int]string{http.StatusNotFound: "Not found", http.StatusBadRequest: "That request cannot be answered"}[status]
	if heading == "" {
		heading = "Something went wrong"
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	web.RenderPage(w, r, h.cfg.Logger, status, h.pages["error"], errorPage{Chrome: h.chrome(heading), Status: status, Heading: heading, ErrorDetail: d})
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}
