package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/web"
)

// Handler serves the governed API and the governance page.
type Handler struct {
	cfg      Config
	pages    *pages
	mux      *http.ServeMux
	inflight inflight

	verifyMu sync.Mutex
	verified *audit.Report
	verifyAt time.Time
}

// New returns a Handler for cfg with defaults filled in, or EINVALID for a
// bad Config, naming the field.
func New(cfg Config) (*Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, pages: p, mux: http.NewServeMux()}
	for pattern, route := range h.Routes() {
		h.mux.Handle(pattern, route)
	}
	return h, nil
}

// Routes returns the handler's routes as ServeMux patterns, for
// web.Config.Mount. A route is left out when what it needs is not
// configured (see Config).
func (h *Handler) Routes() map[string]http.Handler {
	m := map[string]http.Handler{}
	if h.cfg.Summarizers != nil {
		m["POST /v1/summaries"] = h.withKey(nativeShape, access.ScopeSummarize, bodyLimit{h.cfg.MaxBodyBytes, h.cfg.BodyLimitHint}, h.serveSummary)
	}
	if h.cfg.Models != nil {
		m["POST /v1/chat/completions"] = h.withKey(openAIShape, access.ScopeSummarize, bodyLimit{h.cfg.MaxChatBodyBytes, h.cfg.ChatBodyLimitHint}, h.serveChat)
	}
	if h.cfg.ModelNames != nil {
		m["GET /v1/models"] = h.withKey(openAIShape, access.ScopeSummarize, bodyLimit{}, h.serveModels)
	}
	if h.cfg.Store != nil {
		m["GET /v1/tickets/{id}"] = h.withKey(nativeShape, access.ScopeRead, bodyLimit{}, h.serveTicket)
	}
	if h.cfg.Audit != nil {
		m["GET /v1/usage"] = h.withKey(nativeShape, access.ScopeRead, bodyLimit{}, h.serveUsage)
	}
	if h.cfg.Audit != nil {
		m["GET /governance"] = http.HandlerFunc(h.serveGovernancePage)
		m["GET /api/governance"] = http.HandlerFunc(h.serveGovernanceJSON)
		m["GET /governance/style.css"] = http.HandlerFunc(serveCSS)
	}
	return m
}

// Nav returns the header link to the governance page, for web.Config.Nav,
// or false when the governance page is not served.
func (h *Handler) Nav() (web.Link, bool) {
	return web.Link{Label: "Governance", Path: "/governance"}, h.cfg.Audit != nil
}

// ServeHTTP serves every route of Routes, for tests and for serving the
// API on its own; mounted on the web server, the routes get its security
// headers, logging and panic recovery besides.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}
