package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// seedMany stores n tickets T-01..T-n, T-01 the most recently updated, one
// hour apart; every third without a summary, the others with one that
// names a device; T-02 failed.
func seedMany(tb testing.TB, n int) ticketsum.Store {
	store := MustSQLite(tb)
	devices := []string{"router", "printer", "tablet"}
	for i := 1; i <= n; i++ {
		tk := newTicket(fmt.Sprintf("T-%02d", i), fmt.Sprintf("Issue %d", i), []string{"billing", "hardware"}[i%2], time.Duration(i)*time.Hour)
		if i%3 == 0 {
			MustPut(tb, store, tk)
			continue
		}
		MustPut(tb, store, tk, newSummary(tk, fmt.Sprintf("The customer's %s failed; the agent replaced it.", devices[i%3]), ticketsum.StatusResolved, time.Minute))
	}
	t2 := newTicket("T-02", "Issue 2", "billing", 2*time.Hour)
	err := store.RecordFailure(context.Background(), &ticketsum.Failure{TicketID: "T-02", ContentHash: t2.ContentHash(), Code: ticketsum.EINVALID,
		Class: ticketsum.ClassBadTicket, Reason: "ticket has no text after cleaning", Attempts: 1, LastAttemptAt: testNow})
	if err != nil {
		tb.Fatal(err)
	}
	return store
}

func TestListPagePagingSortingFilters(t *testing.T) {
	t.Parallel()
	backlog := func(context.Context) (int, error) { return 49660, nil }
	s, _ := MustServer(t, seedMany(t, 60), func(c *web.Config) { c.PageSize = 5; c.Backlog = backlog })
	h := s.Handler()
	tests := []struct {
		path    string
		want    []string
		wantNot []string
	}{
		{"/", []string{"60 tickets", "49,660 waiting for a summary", `<a class="failed-link" href="/?state=failed">1 failed</a>`,
			`href="/?page=12" aria-label="Page 12"`, `aria-current="page" class="current">1</a>`, `href="/?page=3" aria-label="Page 3"`,
			`<span class="gap" aria-hidden="true">…</span>`, `<form class="jump"`, `max="12"`,
			`aria-sort="descending"><a class="sort" href="/?reverse=true">Updated`, `<a class="sort" href="/?sort=status">Status`,
			"Failed: ticket has no text after cleaning"},
			[]string{`href="/?page=4" aria-label`}},
		{"/?page=6", []string{`href="/?page=4" aria-label="Page 4"`, `class="current">6</a>`, `href="/?page=8" aria-label="Page 8"`, "T-26", "Showing 26–30 of 60"},
			[]string{`aria-label="Page 9"`}},
		{"/?sort=status&reverse=true", []string{`aria-sort="descending"><a class="sort" href="/?sort=status">Status`, `<input type="hidden" name="reverse" value="true">`,
			`<input type="hidden" name="sort" value="status">`}, nil},
		{"/?sort=product_line", []string{`aria-sort="ascending"><a class="sort" href="/?reverse=true&amp;sort=product_line">Product line`}, nil},
		{"/?state=no_summary", []string{"20 tickets match the filter", "T-03", `<option value="no_summary" selected>No summary yet</option>`}, []string{"T-01<"}},
		{"/?state=failed", []string{"1 ticket match the filter", "T-02", `<span class="badge st-failed">Failed</span>`}, []string{"T-01<"}},
		{"/?q=printer", []string{"20 tickets match the filter", "T-01", `value="printer"`}, []string{"T-02<"}},
		{"/?from=2026-10-05&to=2026-10-05", []string{`value="2026-10-05"`, "12 tickets match the filter", "T-01"}, []string{"T-13<"}},
		{"/?to=2026-10-04", []string{"48 tickets match the filter", "T-13"}, []string{"T-12<"}},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.path)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d: %s", tt.path, rec.Code, rec.Body)
			continue
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
	// The jump form carries the filters along.
	body := get(t, h, "/?reverse=true&sort=status").Body.String()
	form := regexp.MustCompile(`(?s)<form class="jump".*?</form>`).FindString(body)
	if !strings.Contains(form, `name="reverse" value="true"`) || !strings.Contains(form, `name="sort" value="status"`) {
		t.Errorf("jump form does not keep the filters: %s", form)
	}
	for _, bad := range []string{"/?state=stuck", "/?sort=subject", "/?reverse=maybe", "/?from=2026-13-01", "/?from=2026-10-05&to=2026-10-01"} {
		if rec := get(t, h, bad); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "query parameter") {
			t.Errorf("%s: status %d, want 400 naming the parameter", bad, rec.Code)
		}
	}
}
