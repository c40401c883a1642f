package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// seedList stores 7 tickets: T-1..T-7, T-1 the most recently updated, odd
// ones billing with a resolved summary, even ones hardware without.
func seedList(tb testing.TB) *memStore {
	store := newMemStore()
	for i := 1; i <= 7; i++ {
		pl := "hardware"
		if i%2 == 1 {
			pl = "billing"
		}
		tk := newTicket(fmt.Sprintf("T-%d", i), fmt.Sprintf("Subject %d", i), pl, time.Duration(i)*time.Hour)
		var sums []*ticketsum.Summary
		if i%2 == 1 {
			sums = append(sums, newSummary(tk, fmt.Sprintf("Summary %d.", i), ticketsum.StatusResolved, time.Minute))
		}
		MustPut(tb, store, tk, sums...)
	}
	return store
}

func TestAPIListShape(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, seedList(t), nil)
	rec := get(t, s.Handler(), "/api/tickets?limit=2")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := decodeJSON(t, rec)
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if got, want := keys(body), []string{"backlog", "limit", "next_offset", "offset", "tickets", "total"}; !slices.Equal(got, want) {
		t.Errorf("top-level keys %v, want %v", got, want)
	}
	if body["total"] != 7.0 || body["limit"] != 2.0 || body["offset"] != 0.0 || body["next_offset"] != 2.0 {
		t.Errorf("paging = total %v limit %v offset %v next %v", body["total"], body["limit"], body["offset"], body["next_offset"])
	}
	items := body["tickets"].([]any)
	if len(items) != 2 {
		t.Fatalf("got %d tickets, want 2", len(items))
	}
	first := items[0].(map[string]any)
	if got, want := keys(first), []string{"created_at", "failure", "id", "message_count", "product_line", "stale", "state", "subject", "summary", "updated_at"}; !slices.Equal(got, want) {
		t.Errorf("ticket keys %v, want %v", got, want)
	}
	if first["id"] != "T-1" || first["message_count"] != 3.0 || first["stale"] != false || first["state"] != "summarized" || first["failure"] != nil {
		t.Errorf("first ticket = %v", first)
	}
	sum := first["summary"].(map[string]any)
	for k, want := range map[string]any{"summary": "Summary 1.", "status": "resolved", "model": "builtin", "prompt_version": "v1", "cost_usd": 0.000184, "latency_ms": 850.0, "ticket_id": "T-1"} {
		if sum[k] != want {
			t.Errorf("summary[%s] = %v, want %v", k, sum[k], want)
		}
	}
	if u := sum["usage"].(map[string]any); u["input_tokens"] != 1234.0 || u["output_tokens"] != 56.0 {
		t.Errorf("usage = %v", u)
	}
	if second := items[1].(map[string]any); second["summary"] != nil || second["state"] != "no_summary" {
		t.Errorf("ticket without summary has summary %v, state %v; want null, no_summary", second["summary"], second["state"])
	}
}

func TestAPIListFiltersAndPaging(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, seedList(t), nil)
	tests := []struct {
		query    string
		wantIDs  []string
		wantNext any
	}{
		{"", []string{"T-1", "T-2", "T-3", "T-4", "T-5", "T-6", "T-7"}, nil},
		{"?product_line=hardware", []string{"T-2", "T-4", "T-6"}, nil},
		{"?status=resolved&limit=2", []string{"T-1", "T-3"}, 2.0},
		{"?status=resolved&limit=2&offset=2", []string{"T-5", "T-7"}, nil},
		{"?q=subject+6", []string{"T-6"}, nil},
		{"?q=nothing-matches", []string{}, nil},
		{"?offset=100", []string{}, nil},
	}
	for _, tt := range tests {
		rec := get(t, s.Handler(), "/api/tickets"+tt.query)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d: %s", tt.query, rec.Code, rec.Body)
			continue
		}
		var got web.TicketListJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, it := range got.Tickets {
			ids = append(ids, it.ID)
		}
		if !slices.Equal(ids, tt.wantIDs) {
			t.Errorf("%s: ids %v, want %v", tt.query, ids, tt.wantIDs)
		}
		var next any
		if got.NextOffset != nil {
			next = float64(*got.NextOffset)
		}
		if next != tt.wantNext {
			t.Errorf("%s: next_offset %v, want %v", tt.query, next, tt.wantNext)
		}
		if !strings.Contains(rec.Body.String(), `"tickets": [`) {
			t.Errorf("%s: tickets is not an array (null?): %s", tt.query, rec.Body)
		}
	}
}

func TestAPIListBadParams(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, seedList(t), nil)
	tests := []struct{ query, want string }{
		{"?limit=0", "limit must be an integer from 1 to 100"},
		{"?limit=101", "limit must be an integer from 1 to 100"},
		{"?limit=ten", "limit"},
		{"?offset=-1", "offset"},
		{"?status=open", "status must be resolved, awaiting_customer or awaiting_support"},
		{"?q=" + strings.Repeat("x", 201), "q is longer than 200 bytes"},
		{"?product_line=%ff", "product_line is not valid UTF-8"},
	}
	for _, tt := range tests {
		rec := get(t, s.Handler(), "/api/tickets"+tt.query)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tt.query, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), tt.want) || !strings.Contains(rec.Body.String(), `"code": "invalid"`) {
			t.Errorf("%s: body %s lacks %q", tt.query, rec.Body, tt.want)
		}
	}
}

func TestAPITicket(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	tk := newTicket("T/1 a?b", "Odd id", "billing", time.Hour)
	old := newSummary(tk, "Older summary.", ticketsum.StatusAwaitingSupport, 2*time.Hour)
	old.PromptVersion = "v0"
	cur := newSummary(tk, "Current summary.", ticketsum.StatusResolved, time.Minute)
	MustPut(t, store, tk, old, cur)
	bare := newTicket("T-2", "No summary", "billing", time.Hour)
	MustPut(t, store, bare)
	s, _ := MustServer(t, store, nil)

	rec := get(t, s.Handler(), "/api/tickets/T%2F1%20a%3Fb")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got web.TicketDetailJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Ticket.ID != tk.ID || len(got.Ticket.Messages) != 3 || got.Ticket.Customer.Email != "jane@example.com" {
		t.Errorf("ticket = %+v", got.Ticket)
	}
	if got.Summary == nil || got.Summary.Text != "Current summary." || got.Stale {
		t.Errorf("summary = %+v stale %v", got.Summary, got.Stale)
	}
	if len(got.History) != 2 || got.History[0].Text != "Current summary." || got.History[1].Text != "Older summary." {
		t.Errorf("history = %+v", got.History)
	}
	body := decodeJSON(t, rec)
	if _, ok := body["history"].([]any)[0].(map[string]any)["latency_ms"]; !ok {
		t.Errorf("history entries lack latency_ms: %s", rec.Body)
	}

	rec = get(t, s.Handler(), "/api/tickets/T-2")
	body = decodeJSON(t, rec)
	if body["summary"] != nil || body["stale"] != false || len(body["history"].([]any)) != 0 {
		t.Errorf("ticket without summary: %s", rec.Body)
	}
}

func TestAPITicketStale(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	tk := newTicket("T-1", "Changed", "billing", time.Hour)
	MustPut(t, store, tk, newSummary(tk, "Summary of the old thread.", ticketsum.StatusResolved, time.Hour))
	tk.Messages = append(tk.Messages, ticketsum.Message{Role: ticketsum.RoleCustomer, Author: "Jane Customer", At: testNow, Body: "It broke again."})
	MustPut(t, store, tk)
	s, _ := MustServer(t, store, nil)
	body := decodeJSON(t, get(t, s.Handler(), "/api/tickets/T-1"))
	if body["stale"] != true {
		t.Errorf("stale = %v, want true", body["stale"])
	}
	list := decodeJSON(t, get(t, s.Handler(), "/api/tickets"))
	if list["tickets"].([]any)[0].(map[string]any)["stale"] != true {
		t.Errorf("list does not mark the ticket stale: %v", list)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), nil)
	rec := get(t, s.Handler(), "/healthz")
	if rec.Code != http.StatusOK || decodeJSON(t, rec)["status"] != "ok" {
		t.Errorf("healthz = %d %s", rec.Code, rec.Body)
	}
}
