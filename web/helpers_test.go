package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testNow is the fixed time of every test's clock.
var testNow = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// MustServer returns a Server on store with a fixed clock and a logger that
// writes into the returned buffer.
func MustServer(tb testing.TB, store ticketsum.Store, mod func(*web.Config)) (*web.Server, *bytes.Buffer) {
	tb.Helper()
	var logs bytes.Buffer
	cfg := web.Config{
		Addr:         "127.0.0.1:0",
		Store:        store,
		Clock:        fixedClock{testNow},
		Logger:       slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ProductLines: []string{"billing", "hardware"},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	return s, &logs
}

// get serves a GET request for path through h.
func get(tb testing.TB, h http.Handler, path string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeJSON decodes a response body into a generic value.
func decodeJSON(tb testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		tb.Fatalf("Content-Type = %q, want JSON", ct)
	}
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		tb.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// newTicket returns a valid ticket with three messages, updated at
// testNow minus age.
func newTicket(id, subject, productLine string, age time.Duration) *ticketsum.Ticket {
	at := testNow.Add(-age)
	return &ticketsum.Ticket{
		ID:          id,
		Subject:     subject,
		ProductLine: productLine,
		Customer:    ticketsum.Customer{Name: "Jane Customer", Email: "jane@example.com"},
		CreatedAt:   at.Add(-2 * time.Hour),
		UpdatedAt:   at,
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Jane Customer", At: at.Add(-2 * time.Hour), Body: "My card reader will not pair."},
			{Role: ticketsum.RoleAgent, Author: "Sam Agent", At: at.Add(-time.Hour), Body: "Please reset it by holding the button for 15 seconds."},
			{Role: ticketsum.RoleCustomer, Author: "Jane Customer", At: at, Body: "That worked, thanks."},
		},
	}
}

// newSummary returns a summary of t made age before testNow.
func newSummary(t *ticketsum.Ticket, text string, st ticketsum.Status, age time.Duration) *ticketsum.Summary {
	return &ticketsum.Summary{
		TicketID:      t.ID,
		Text:          text,
		Status:        st,
		Model:         "builtin",
		PromptVersion: "v1",
		ContentHash:   t.ContentHash(),
		Usage:         ticketsum.Usage{InputTokens: 1234, OutputTokens: 56},
		CostUSD:       0.000184,
		Latency:       850 * time.Millisecond,
		CreatedAt:     testNow.Add(-age),
	}
}

// MustPut stores t and its summaries in store.
func MustPut(tb testing.TB, store ticketsum.Store, t *ticketsum.Ticket, sums ...*ticketsum.Summary) {
	tb.Helper()
	ctx := context.Background()
	if _, err := store.UpsertTicket(ctx, t); err != nil {
		tb.Fatalf("upsert %s: %v", t.ID, err)
	}
	for _, s := range sums {
		if _, err := store.SaveSummary(ctx, s); err != nil {
			tb.Fatalf("save summary of %s: %v", t.ID, err)
		}
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file; run go test ./web -run %s -update and review the diff\n--- got ---\n%s", path, tb.Name(), got)
	}
}
