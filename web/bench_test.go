package web_test

import (
	"log/slog"

	"github.com/ticketsum/ticketsum/web"
	"net/http"
	"testing"
)

// BenchmarkListPage renders the first list page of the 50 sample tickets.
func BenchmarkListPage(b *testing.B) {
	s, _ := MustServer(b, seedSample(b), quiet)
	h := s.Handler()
	for b.Loop() {
		if rec := get(b, h, "/"); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkTicketPage renders a sample ticket page with summary and thread.
func BenchmarkTicketPage(b *testing.B) {
	s, _ := MustServer(b, seedSample(b), quiet)
	h := s.Handler()
	for b.Loop() {
		if rec := get(b, h, "/tickets/TS-2001"); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkAPIList encodes the API list of 50 sample tickets.
func BenchmarkAPIList(b *testing.B) {
	s, _ := MustServer(b, seedSample(b), quiet)
	h := s.Handler()
	for b.Loop() {
		if rec := get(b, h, "/api/tickets?limit=50"); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// quiet drops logs, so that benchmarks measure serving, not log buffering.
func quiet(c *web.Config) { c.Logger = slog.New(slog.DiscardHandler) }
