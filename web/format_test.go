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
	body := "Hi,\n\n> quoted one\n> quoted two\nAfter.\n```\ncode line\n```\nTrace:\n    at a.b(C.java:1)\n\tat d\nEnd."
	want := []Block{
		{"text", "Hi,"},
		{"quote", "quoted one\nquoted two"},
		{"text", "After."},
		{"code", "code line"},
		{"text", "Trace:"},
		{"code", "    at a.b(C.java:1)\n\tat d"},
		{"text", "End."},
	}
	got := bodyBlocks(body)
	if len(got) != len(want) {
		t.Fatalf("got %d blocks %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %q, want %q", i, got[i], want[i])
		}
	}
	if got := bodyBlocks("```\nnever closed"); len(got) != 1 || got[0].Kind != "code" {
		t.Errorf("unclosed fence: %q", got)
	}
	if got := bodyBlocks("  \n\n"); len(got) != 0 {
		t.Errorf("blank body gave %q", got)
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
	}
	for _, tt := range tests {
		if got := userMessage(tt.err); got != tt.want {
			t.Errorf("%s: userMessage = %q, want %q", tt.name, got, tt.want)
		}
	}
}
