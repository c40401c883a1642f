package builtin

import "testing"

// MustNew returns a summariser for cfg or fails the test.
func MustNew(tb testing.TB, cfg Config) *Summarizer {
	tb.Helper()
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
