package eval_test

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

func TestWriteHTMLWith(t *testing.T) {
	t.Parallel()
	rep := &eval.Report{Dataset: eval.DatasetInfo{Name: "tickets", Tickets: 1}, TicketsPerWeek: 1000,
		Configurations: []eval.CellMetrics{{Name: "builtin", Model: "builtin", Tickets: 1, FormatCompliance: 100}}}
	var plain bytes.Buffer
	if err := rep.WriteHTML(&plain); err != nil {
		t.Fatal(err)
	}
	const section = template.HTML(`<section id="plan">plan</section>`)
	for _, tc := range []struct {
		name     string
		sections []template.HTML
		want     string
	}{
		{"none", nil, plain.String()},
		{"empty", []template.HTML{""}, plain.String()},
		{"one", []template.HTML{section}, strings.Replace(plain.String(), "</body>", string(section)+"\n</body>", 1)},
		{"two", []template.HTML{section, "<p>x</p>"}, strings.Replace(plain.String(), "</body>", string(section)+"\n<p>x</p>\n</body>", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := rep.WriteHTMLWith(&b, tc.sections...); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Fatalf("page =\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestNiceCeil(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want float64 }{{0, 1}, {-3, 1}, {7, 10}, {1.5, 2}, {2.2, 2.5}, {32520, 50000}, {160000, 200000}, {1000, 1000}} {
		if got := eval.NiceCeil(tc.in); got != tc.want {
			t.Errorf("NiceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := eval.TrimFloat(12500); got != "12500" {
		t.Errorf("TrimFloat(12500) = %q", got)
	}
	if got := eval.TrimFloat(0.25); got != "0.25" {
		t.Errorf("TrimFloat(0.25) = %q", got)
	}
}
