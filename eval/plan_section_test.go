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
