package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
)

// BenchmarkGenerate is one chat call through the SDK to a loopback server
// that answers at once with a fixed chat completion: the provider's own
// cost per call (request, SDK, net/http client, answer), with the
// server's in the same process.
func BenchmarkGenerate(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(plainAnswer))
	}))
	defer srv.Close()
	m, err := New(Config{Model: "m", BaseURL: srv.URL, APIKey: "sk-test", Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	req := &ticketsum.ModelRequest{
		System:   "Summarise the ticket in one neutral paragraph.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Customer: my export fails.\nAgent: fixed the permissions."}},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Generate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
