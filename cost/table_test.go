package cost_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/cost"
)

func TestWriteTable(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	var buf bytes.Buffer
	if err := cost.WriteTable(&buf, c); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(c.Models())+4 {
		t.Fatalf("table has %d lines for %d models", len(lines), len(c.Models()))
	}
	var sonnetLine string
	for _, l := range lines {
		if strings.HasPrefix(l, sonnet35+" ") {
			sonnetLine = l
		}
	}
	for _, want := range []string{"claude", "200000", " no ", "3*", "15*", "0.3*", "3.75*", "-50%", "us-east-1", "(eol 2026-03-01)"} {
		if !strings.Contains(sonnetLine, want) {
			t.Fatalf("sonnet row %q lacks %q", sonnetLine, want)
		}
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "Guardrails") || !strings.Contains(last, "denied topics 0.15*") {
		t.Errorf("last line %q lacks the guardrail prices", last)
	}
}
