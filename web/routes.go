package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/ticketsum/ticketsum"
)

// routes registers the built-in routes and the mounted handlers.
func (s *Server) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleList)
	mux.HandleFunc("GET /tickets/{id}", s.handleTicket)
	mux.HandleFunc("GET /api/tickets", s.handleAPIList)
	mux.HandleFunc("GET /api/tickets/{id}", s.handleAPITicket)
	mux.HandleFunc("POST /api/tickets/{id}/retry", s.action(s.handleAPIRetry))
	mux.HandleFunc("POST /api/tickets/{id}/regenerate", s.action(s.handleAPIRegenerate))
	mux.HandleFunc("POST /tickets/{id}/retry", s.action(s.handleFormRetry))
	mux.HandleFunc("POST /tickets/{id}/regenerate", s.action(s.handleFormRegenerate))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /static/style.css", s.handleCSS)
	mux.HandleFunc("/", s.handleNotFound)

	patterns := make([]string, 0, len(s.cfg.Mount))
	for p := range s.cfg.Mount {
		patterns = append(patterns, p)
	}
	slices.Sort(patterns)
	for _, p := range patterns {
		if err := mount(mux, p, s.cfg.Mount[p]); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

// mount registers h on mux, turning ServeMux's panic on a bad or conflicting
// pattern into an EINVALID error.
func mount(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Mount pattern %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, ticketsum.Errorf(ticketsum.ENOTFOUND, "there is nothing at %s", truncate(r.URL.Path, 200)))
}

func (s *Server) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(styleCSS)
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return fmt.Sprintf("%s...", s[:n])
}
