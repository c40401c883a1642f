package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// parseTemplates parses each page together with the layout, with template
// functions bound to the server's clock.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"ago":         func(t time.Time) string { return ago(s.cfg.Clock.Now(), t) },
		"cost":        formatCost,
		"time":        formatTime,
		"iso":         isoTime,
		"latency":     formatLatency,
		"statusLabel": statusLabel,
		"statusClass": statusClass,
		"roleLabel":   roleLabel,
		"thousands":   thousands,
		"pathEscape":  url.PathEscape,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"list", "ticket", "error"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// layout is what every page's header and footer show.
type layout struct {
	Title   string
	Product string
	Nav     []Link
	Active  string
}

func (s *Server) layout(title, active string) layout {
	return layout{Title: title, Product: s.cfg.Title, Nav: s.cfg.Nav, Active: active}
}

// render executes a page into a buffer and writes it with status, so that a
// template failure never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "render page", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
