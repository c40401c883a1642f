package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/ticketsum/ticketsum"
)

// Chrome is what the shared page layout shows around a page's content: the
// head, the header with the main navigation, and the footer. Page data
// passed to RenderPage embeds it (directly or through another struct), so
// that the layout reads .Title, .Product, .Nav and the rest.
type Chrome struct {
	// Title is the page's title; the browser tab shows "Title · Product".
	Title string
	// Product is the product name shown in the header and footer.
	Product string
	// Nav are the header links after Tickets (usually Config.Nav: Review,
	// Governance).
	Nav []Link
	// Active is the path of the header link marked as the current page:
	// "/" for Tickets, or the Path of one of Nav. Empty marks none.
	Active string
	// Stylesheets are extra stylesheet URLs loaded after /static/style.css,
	// such as a mounted package's own CSS. They must be same-origin paths:
	// the Content-Security-Policy allows styles from 'self' only.
	Stylesheets []string
	// Footer is the footer text after "Product · "; empty shows the
	// default note that summaries may be wrong.
	Footer string
	// Inline replaces the stylesheet links in the head, for a page saved
	// as one self-contained file that opens offline: the styles (and any
	// scripts) inline, such as "<style>" + StyleSheet() + "</style>".
	// Default empty: the links.
	Inline template.HTML
}

// ParsePage parses a page's templates together with the shared layout. The
// page's files, read from fsys with patterns, must define "content" (the
// body inside <main>) and may define helpers for it; funcs are available to
// them. The result is executed by RenderPage. It fails with EINTERNAL when a
// template does not parse.
func ParsePage(name string, funcs template.FuncMap, fsys fs.FS, patterns ...string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "web: parse layout: %v", err)
	}
	if len(patterns) > 0 {
		if t, err = t.ParseFS(fsys, patterns...); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "web: parse page %s: %v", name, err)
		}
	}
	if t.Lookup("content") == nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "web: page %s defines no \"content\" template", name)
	}
	return t, nil
}

// RenderPage executes a page parsed by ParsePage with data (which embeds
// Chrome) into a buffer and writes it as HTML with status, so that a
// template failure never leaves half a page: it is logged with the request
// path and answered with a plain 500. Headers the caller set before, such
// as security headers, are kept.
func RenderPage(w http.ResponseWriter, r *http.Request, logger *slog.Logger, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		if logger != nil {
			logger.ErrorContext(r.Context(), "render page", "page", t.Name(), "path", r.URL.Path, "err", err)
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
