package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the report as a terminal table (its View), one row per
// configuration, then the bars, the notes on what was not measured, the
// problems and the recommendation.
func (rep *Report) WriteTable(w io.Writer) error {
	v := rep.View()
	fmt.Fprintf(w, "%s\n\n", v.Dataset)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := len("configuration")
	for _, r := range v.Rows {
		width = max(width, len(r.Name))
	}
	head := []string{pad("configuration", width)}
	for _, c := range v.Columns {
		head = append(head, c.Head)
	}
	fmt.Fprintln(tw, strings.Join(append(head, "verdict"), "\t")+"\t")
	for _, r := range v.Rows {
		cells := append([]string{pad(r.Name, width)}, r.Cells...)
		fmt.Fprintln(tw, strings.Join(append(cells, r.Verdict), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write eval table: %w", err)
	}
	if err := writeQuality(w, rep); err != nil {
		return err
	}
	if v.Bars != "" {
		fmt.Fprintf(w, "\n%s: %s\n", v.BarsNote, v.Bars)
	}
	for _, s := range v.Notes {
		fmt.Fprintf(w, "  %s\n", s)
	}
	for _, s := range v.Problems {
		fmt.Fprintf(w, "  %s\n", s)
	}
	fmt.Fprintf(w, "\n%s\n", v.Verdict)
	return nil
}

// pad left-aligns s in a right-aligned table column.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-len(s), 0))
}
