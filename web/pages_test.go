package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// goldenTicket is a ticket with every kind of message body the page formats.
func goldenTicket() *ticketsum.Ticket {
	at := testNow.Add(-26 * time.Hour)
	return &ticketsum.Ticket{
		ID:          "TS-4006",
		Subject:     "API returns 500 on /v2/items with large page size",
		ProductLine: "integrations-api",
		Customer:    ticketsum.Customer{Name: "Diego Alvarez", Email: "diego@menusync.example"},
		CreatedAt:   at,
		UpdatedAt:   at.Add(3 * time.Hour),
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Diego Alvarez", At: at, Body: "<p>GET /v2/items?limit=500 returns <b>500</b> &amp; fails.</p><p>Thanks,<br>Diego</p>"},
			{Role: ticketsum.RoleInternal, Author: "Raj Patel", At: at.Add(time.Hour), Body: "Trace:\n\npanic: index out of range [500]\n\tcatalog/api/items.go:211\n\nOff-by-one. API-655."},
			{Role: ticketsum.RoleAgent, Author: "Raj Patel", At: at.Add(2 * time.Hour), Body: "Hi Diego,\n\nPlease use limit=499 until the fix ships.\n\n```\nGET /v2/items?limit=499\n```\n\nThanks,\nRaj"},
			{Role: ticketsum.RoleCustomer, Author: "Diego Alvarez", At: at.Add(3 * time.Hour), Body: "OK, 499 works.\n\n> Please use limit=499 until the fix ships.\n> Thanks"},
		},
	}
}

func TestTicketPageGolden(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	tk := goldenTicket()
	old := newSummary(tk, "An earlier summary of the thread.", ticketsum.StatusAwaitingSupport, 20*time.Hour)
	old.Model = "bedrock:anthropic.claude-3-5-haiku"
	cur := newSummary(tk, "The customer reported a server error from the items API at the maximum page size. The agent confirmed a bug and advised a smaller page size until a fix ships; the customer confirmed the workaround.", ticketsum.StatusAwaitingCustomer, 3*time.Minute)
	cur.Flags = []string{"input:EMAIL:ANONYMIZED"}
	MustPut(t, store, tk, old, cur)
	s, _ := MustServer(t, store, nil)
	rec := get(t, s.Handler(), "/tickets/TS-4006")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	golden(t, "ticket.golden", rec.Body.Bytes())
}

func TestTicketPageSummaryStates(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	fresh := newTicket("T-fresh", "Fresh", "billing", time.Hour)
	MustPut(t, store, fresh, newSummary(fresh, "Fresh summary text.", ticketsum.StatusResolved, 3*time.Minute))
	none := newTicket("T-none", "None", "billing", time.Hour)
	MustPut(t, store, none)
	stale := newTicket("T-stale", "Stale", "billing", time.Hour)
	MustPut(t, store, stale, newSummary(stale, "Stale summary text.", ticketsum.StatusAwaitingSupport, 2*time.Hour))
	stale.Messages = append(stale.Messages, ticketsum.Message{Role: ticketsum.RoleAgent, Author: "Sam Agent", At: testNow, Body: "Follow-up."})
	MustPut(t, store, stale)
	s, _ := MustServer(t, store, nil)

	tests := []struct {
		id       string
		want     []string
		wantNot  []string
		wantStat string
	}{
		{"T-fresh", []string{"Fresh summary text.", "3 minutes ago", "Resolved", "builtin", "v1", "$0.00018", "1,234 in · 56 out", "850 ms"}, []string{"has changed since", "No summary yet"}, "st-resolved"},
		{"T-none", []string{"No summary yet"}, []string{"has changed since"}, "st-none"},
		{"T-stale", []string{"Stale summary text.", "The thread has changed since this summary was written", "2 hours ago"}, []string{"No summary yet"}, "st-awaiting-support"},
	}
	for _, tt := range tests {
		body := get(t, s.Handler(), "/tickets/"+tt.id).Body.String()
		sum, thread := strings.Index(body, `id="summary"`), strings.Index(body, `id="thread"`)
		if sum < 0 || thread < 0 || sum > thread {
			t.Errorf("%s: summary at %d, thread at %d: want summary before thread", tt.id, sum, thread)
			continue
		}
		summary := body[sum:thread]
		for _, w := range append(tt.want, tt.wantStat) {
			if !strings.Contains(summary, w) {
				t.Errorf("%s: summary section lacks %q:\n%s", tt.id, w, summary)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s: page contains %q", tt.id, w)
			}
		}
		if strings.Count(body[thread:], `class="msg role-`) != len(mustFind(t, store, tt.id).Messages) {
			t.Errorf("%s: thread does not show every message", tt.id)
		}
	}
}

func mustFind(tb testing.TB, store *memStore, id string) *ticketsum.Ticket {
	tb.Helper()
	t, err := store.FindTicket(tb.Context(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestEscaping puts markup into every field a page or the API shows and
// checks that none of it comes out live.
func TestEscaping(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	store := newMemStore()
	tk := newTicket(`T-"><script>1`, "Subject "+evil, "billing"+evil, time.Hour)
	tk.Messages[0].Body = "Plain " + evil + "\n> quoted " + evil + "\n```\ncode " + evil + "\n```"
	tk.Messages[1].Author = "Agent " + evil
	tk.Messages[2].Body = "<p>HTML body &lt;script&gt;alert(2)&lt;/script&gt;</p><script>alert(3)</script>"
	sum := newSummary(tk, "Summary "+evil, ticketsum.StatusResolved, time.Minute)
	sum.Model = "model" + evil
	sum.Flags = []string{"flag" + evil}
	MustPut(t, store, tk, sum)
	s, _ := MustServer(t, store, func(c *web.Config) { c.ProductLines = []string{"billing" + evil} })

	for _, path := range []string{
		"/",
		"/?q=" + "%3Cscript%3E",
		"/?product_line=billing%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
		"/tickets/T-%22%3E%3Cscript%3E1",
		"/nope%3Cscript%3E",
	} {
		rec := get(t, s.Handler(), path)
		body := strings.ToLower(rec.Body.String())
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("%s: live markup in page:\n%s", path, rec.Body)
		}
	}
	page := get(t, s.Handler(), "/tickets/T-%22%3E%3Cscript%3E1").Body.String()
	if !strings.Contains(page, "Summary &lt;script&gt;") || !strings.Contains(page, "Plain &lt;script&gt;") {
		t.Errorf("escaped text missing from the ticket page:\n%s", page)
	}
	if strings.Contains(page, "alert(3)") {
		t.Errorf("script content of an HTML body is shown:\n%s", page)
	}
	if !strings.Contains(page, "HTML body &lt;script&gt;alert(2)") {
		t.Errorf("entity-encoded text of an HTML body is not shown as text:\n%s", page)
	}
	api := get(t, s.Handler(), "/api/tickets/T-%22%3E%3Cscript%3E1")
	if strings.Contains(api.Body.String(), "<script") {
		t.Errorf("API JSON contains raw <script>: %s", api.Body)
	}
	if csp := api.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestListPage(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, seedList(t), func(c *web.Config) { c.PageSize = 3 })
	tests := []struct {
		path    string
		want    []string
		wantNot []string
	}{
		{"/", []string{"7 tickets", "T-1", "T-3", "Summary 1.", "Showing 1–3 of 7", `href="/?page=2"`, "No summary", `<option value="billing">billing</option>`}, []string{"T-4", `rel="prev"`, "match the filter"}},
		{"/?page=3", []string{"T-7", "Showing 7–7 of 7", `href="/?page=2" rel="prev"`}, []string{"T-6<", `rel="next"`}},
		{"/?product_line=billing&status=resolved", []string{"4 tickets match the filter", "T-1", "T-3", "T-5", `href="/?page=2&amp;product_line=billing&amp;status=resolved"`, `<option value="billing" selected>`, `<option value="resolved" selected>`, "Clear"}, []string{"T-2", "T-7"}},
		{"/?q=zzz", []string{"No tickets match this filter."}, []string{"<table"}},
		{"/?page=9", []string{"There are no tickets on this page."}, nil},
	}
	for _, tt := range tests {
		rec := get(t, s.Handler(), tt.path)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", tt.path, rec.Code)
		}
		body := rec.Body.String()
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tt.path, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(body, w) {
				t.Errorf("%s: page contains %q", tt.path, w)
			}
		}
	}
	for _, bad := range []string{"/?page=0", "/?page=x", "/?status=nope"} {
		if rec := get(t, s.Handler(), bad); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "query parameter") {
			t.Errorf("%s: status %d, want 400 with the parameter named", bad, rec.Code)
		}
	}
}

func TestListPageEmptyStore(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), func(c *web.Config) { c.ProductLines = nil })
	body := get(t, s.Handler(), "/").Body.String()
	if !strings.Contains(body, "No tickets yet.") || !strings.Contains(body, `<input type="text" name="product_line"`) {
		t.Errorf("empty list page:\n%s", body)
	}
}

func TestStaticCSS(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), nil)
	rec := get(t, s.Handler(), "/static/style.css")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || !strings.Contains(rec.Body.String(), ".st-resolved") ||
		!strings.Contains(rec.Header().Get("Cache-Control"), "max-age") {
		t.Errorf("style.css: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestTicketPageActions(t *testing.T) {
	t.Parallel()
	store := newMemStore()
	tk := newTicket("T/1 x", "Slash", "billing", time.Hour)
	MustPut(t, store, tk)
	s, _ := MustServer(t, store, func(c *web.Config) {
		c.TicketLinks = []web.Link{{Label: "Rate or regenerate", Path: "/review/tickets/{id}"}}
	})
	rec := get(t, s.Handler(), "/tickets/"+url.PathEscape(tk.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if want := `href="/review/tickets/T%2F1%20x"`; !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("page lacks the action link %s", want)
	}
}
