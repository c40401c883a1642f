package web

import (
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
		"classLabel":  classLabel,
		"classHint":   classHint,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"list", "ticket", "error"} {
		t, err := ParsePage(name, funcs, templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// layout is what every page's header and footer show.
type layout = Chrome

// layout returns the chrome of a page; active is the path of the current
// header link ("/" for Tickets, "" for none).
func (s *Server) layout(title, active string) layout {
	return Chrome{Title: title, Product: s.cfg.Title, Nav: s.cfg.Nav, Active: active}
}

// render writes a page with status through RenderPage.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	RenderPage(w, r, s.cfg.Logger, status, s.pages[page], data)
}
