package api

import (
	"strconv"
	"time"
)

// usd formats an amount of dollars for people: cents from one cent up, four
// decimals below.
func usd(v float64) string {
	switch {
	case v == 0:
		return "$0.00"
	case v >= 0.01 || v <= -0.01:
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return "$" + strconv.FormatFloat(v, 'f', 4, 64)
}

// count formats a whole number with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// percent formats a percentage with no decimals, or one below 10.
func percent(v float64) string {
	if v > 0 && v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "%"
}

// utc formats a time in UTC to the minute.
func utc(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
