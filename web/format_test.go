package web

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

func TestAgo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "just now"},
		{0, "just now"},
		{44 * time.Second, "just now"},
		{60 * time.Second, "1 minute ago"},
		{3 * time.Minute, "3 minutes ago"},
		{59 * time.Minute, "59 minutes ago"},
		{time.Hour, "1 hour ago"},
		{23*time.Hour + 59*time.Minute, "23 hours ago"},
		{24 * time.Hour, "1 day ago"},
		{29 * 24 * time.Hour, "29 days ago"},
		{31 * 24 * time.Hour, "1 month ago"},
		{100 * 24 * time.Hour, "3 months ago"},
		{800 * 24 * time.Hour, "2 years ago"},
	}
	for _, tt := range tests {
		if got := ago(now, now.Add(-tt.d)); got != tt.want {
			t.Errorf("ago(-%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := ago(now, time.Time{}); got != "unknown" {
		t.Errorf("ago(zero) = %q", got)
	}
}

func TestFormatCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		usd  float64
		want string
	}{
		{0, "$0.00"},
		{0.000184, "$0.00018"},
		{0.0000123, "$0.000012"},
		{0.0042, "$0.0042"},
		{0.01, "$0.01"},
		{1.5, "$1.50"},
		{1234.567, "$1234.57"},
		{1e-12, "<$0.00000001"},
		{-1, "n/a"},
	}
	for _, tt := range tests {
		if got := formatCost(tt.usd); got != tt.want {
			t.Errorf("formatCost(%g) = %q, want %q", tt.usd, got, tt.want)
		}
	}
}

func TestSmallFormatters(t *testing.T) {
	t.Parallel()
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %q", got)
	}
	if got := thousands(-1000); got != "-1,000" {
		t.Errorf("thousands(-1000) = %q", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands(999) = %q", got)
	}
	if got := formatLatency(1500 * time.Millisecond); got != "1.5 s" {
		t.Errorf("formatLatency = %q", got)
	}
	if got := formatLatency(300 * time.Microsecond); got != "<1 ms" {
		t.Errorf("formatLatency(300µs) = %q", got)
	}
	if got := formatLatency(0); got != "" {
		t.Errorf("formatLatency(0) = %q", got)
	}
	if got := statusClass("weird"); got != "st-none" {
		t.Errorf("statusClass(weird) = %q", got)
	}
	if got := statusClass(ticketsum.StatusAwaitingCustomer); got != "st-awaiting-customer" {
		t.Errorf("statusClass = %q", got)
	}
}

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<p>Hello</p><p>World</p>", "Hello\n\nWorld"},
		{"<div>a<br>b<br/>c</div>", "a\nb\nc"},
		{"<p>Fish &amp; chips &lt;3</p>", "Fish & chips <3"},
		{"<style>p{color:red}</style><p>x</p><script>alert(1)</script>y", "x\ny"},
		{"<p>unclosed <b", "unclosed <b"},
		{"<SCRIPT>bad()</SCRIPT>ok", "ok"},
		{"<p>a</p>\n\n\n\n<p>b</p>", "a\n\nb"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBodyBlocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []Block
	}{
		{"plain", "Hi,\n\nIt broke.\n\nThanks", []Block{{"text", "Hi,\n\nIt broke.\n\nThanks"}}},
		{"quote", "Done.\n> quoted one\n> quoted two\nAfter.", []Block{{"text", "Done."}, {"quote", "quoted one\nquoted two"}, {"text", "After."}}},
		{"fence", "Code:\n```\nx := 1\n\ny := 2\n```\nEnd.", []Block{{"text", "Code:"}, {"code", "x := 1\n\ny := 2"}, {"text", "End."}}},
		{"unclosed fence", "```\nnever closed", []Block{{"code", "never closed"}}},
		{"java trace", "Found it:\n\nFATAL EXCEPTION: main\njava.lang.NullPointerException: x\n    at a.b(C.kt:58)\n\nFixed in 6.12.1.",
			[]Block{{"text", "Found it:"}, {"code", "FATAL EXCEPTION: main\njava.lang.NullPointerException: x\n    at a.b(C.kt:58)"}, {"text", "Fixed in 6.12.1."}}},
		{"go trace", "Trace:\n\npanic: index out of range\n\ngoroutine 1 [running]:\nmain.f()\n\t/src/main.go:3",
			[]Block{{"text", "Trace:"}, {"code", "panic: index out of range"}, {"code", "goroutine 1 [running]:\nmain.f()\n\t/src/main.go:3"}}},
		{"log lines", "Log:\n\n2026-10-07T13:31:02Z WARN upload status=409\n2026-10-07T13:31:02Z INFO retry\n\nSo it retries.",
			[]Block{{"text", "Log:"}, {"code", "2026-10-07T13:31:02Z WARN upload status=409\n2026-10-07T13:31:02Z INFO retry"}, {"text", "So it retries."}}},
		{"bracket tags", "[BT] 16:02:11 timeout\n[BT] 16:14:47 disconnect", []Block{{"code", "[BT] 16:02:11 timeout\n[BT] 16:14:47 disconnect"}}},
		{"prose with a date", "On 2026-10-07 we shipped it.\nIt arrived on time.\nThanks again.", []Block{{"text", "On 2026-10-07 we shipped it.\nIt arrived on time.\nThanks again."}}},
		{"blank", "  \n\n", nil},
	}
	for _, tt := range tests {
		got := bodyBlocks(tt.body)
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
			continue
		}
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("%s: block %d = %q, want %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

func TestUserMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("pq: password authentication failed for user admin")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no cause", ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket T-1 not found"), "ticket T-1 not found"},
		{"library cause trimmed", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "open database: %w", cause), "open database"},
		{"only a cause", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%w", cause), "Service Unavailable"},
		{"coded cause kept", ticketsum.Errorf(ticketsum.EINVALID, "line 3: %w", ticketsum.Errorf(ticketsum.EINVALID, "no messages")), "line 3: no messages"},
		{"wrapped", errors.Join(errors.New("outer"), ticketsum.Errorf(ticketsum.ECONFLICT, "busy")), "busy"},
		{"uncoded", cause, "internal error"},
		{"coded cause's cause withheld", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "load tickets: %w", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "query: %w", cause)), "load tickets: query"},
		{"error as %v withheld", ticketsum.Errorf(ticketsum.EINVALID, "filter %q: %v", "x", cause), `filter "x"`},
		{"error in the middle withheld", ticketsum.Errorf(ticketsum.EINVALID, "open %v failed; check the file", cause), "open  failed; check the file"},
		{"Withheldf argument withheld", ticketsum.Withheldf(ticketsum.EUNAVAILABLE, nil, "model said %v", cause), "model said"},
		{"coded internal cause withheld", ticketsum.Errorf(ticketsum.EINVALID, "bad request: %w", ticketsum.Errorf(ticketsum.EINTERNAL, "bug: %w", cause)), "bad request"},
		{"shown internal", &ticketsum.Error{Code: ticketsum.EINTERNAL, Shown: true, Message: "the answer was paid", Err: cause}, "the answer was paid"},
		{"literal ending with its cause", &ticketsum.Error{Code: ticketsum.EINVALID, Message: "bad row: " + cause.Error(), Err: cause}, "bad row"},
	}
	for _, tt := range tests {
		if d, _ := errorDetail(tt.err); d.Message != tt.want {
			t.Errorf("%s: message = %q, want %q", tt.name, d.Message, tt.want)
		}
	}
}
