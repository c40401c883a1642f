package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// ago says how long before now t was, as a reviewer reads it: "just now",
// "3 minutes ago", "2 days ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	d := now.Sub(t)
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return strconv.FormatInt(n, 10) + " " + name + "s ago"
	}
	day := 24 * time.Hour
	switch {
	case d < 45*time.Second:
		return "just now"
	case d < 90*time.Second:
		return "1 minute ago"
	case d < time.Hour:
		return unit(int64(math.Round(d.Minutes())), "minute")
	case d < day:
		return unit(int64(d/time.Hour), "hour")
	case d < 30*day:
		return unit(int64(d/day), "day")
	case d < 365*day:
		return unit(int64(d/(30*day)), "month")
	default:
		return unit(int64(d/(365*day)), "year")
	}
}

// formatCost formats a cost in US dollars: cents for a dollar or more, two
// significant digits below a cent.
func formatCost(usd float64) string {
	switch {
	case usd == 0:
		return "$0.00"
	case usd < 0 || math.IsNaN(usd) || math.IsInf(usd, 0):
		return "n/a"
	case usd >= 0.01:
		return "$" + strconv.FormatFloat(usd, 'f', 2, 64)
	case usd < 1e-8:
		return "<$0.00000001"
	}
	digits := 2 - int(math.Floor(math.Log10(usd))) - 1
	return "$" + strconv.FormatFloat(usd, 'f', digits, 64)
}

// formatTime formats a time for people, in UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// isoTime formats a time for the datetime attribute.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// formatLatency formats a model call's latency.
func formatLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
}

// statusLabel names a summary status for people.
func statusLabel(s ticketsum.Status) string {
	switch s {
	case ticketsum.StatusResolved:
		return "Resolved"
	case ticketsum.StatusAwaitingCustomer:
		return "Waiting on customer"
	case ticketsum.StatusAwaitingSupport:
		return "Waiting on support"
	case "":
		return "No summary"
	}
	return string(s)
}

// statusClass returns the CSS class of a status badge.
func statusClass(s ticketsum.Status) string {
	if s.Valid() {
		return "st-" + strings.ReplaceAll(string(s), "_", "-")
	}
	return "st-none"
}

// roleLabel names a message role for people.
func roleLabel(r ticketsum.Role) string {
	switch r {
	case ticketsum.RoleCustomer:
		return "Customer"
	case ticketsum.RoleAgent:
		return "Agent"
	case ticketsum.RoleInternal:
		return "Internal note"
	}
	return string(r)
}

// thousands formats n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// classLabel names a failure class for people.
func classLabel(c ticketsum.FailureClass) string {
	switch c {
	case ticketsum.ClassRetryable:
		return "Temporary (retried until attempts ran out)"
	case ticketsum.ClassConfig:
		return "Configuration"
	case ticketsum.ClassBadTicket:
		return "Ticket cannot be summarised as it is"
	case ticketsum.ClassPolicy:
		return "Blocked by a guardrail"
	}
	return string(c)
}

// classHint says what brings a failed ticket back, by failure class.
func classHint(c ticketsum.FailureClass) string {
	switch c {
	case ticketsum.ClassRetryable:
		return "The model or a service was unavailable; retry when it is back."
	case ticketsum.ClassConfig:
		return "Fix the configuration the reason names, then retry (or: ticketsum failures retry --all --class config)."
	case ticketsum.ClassBadTicket, ticketsum.ClassPolicy:
		return "It is tried again when its thread changes."
	}
	return ""
}
