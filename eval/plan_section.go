package eval

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTMLWith writes the report as WriteHTML does, with extra sections
// (such as the deployment plan of the evaluated models, made by the caller)
// embedded at the end of the page. Each section must be a self-contained,
// escaped HTML fragment; nil or empty sections are skipped.
func (rep *Report) WriteHTMLWith(w io.Writer, sections ...template.HTML) error {
	var page bytes.Buffer
	if err := rep.WriteHTML(&page); err != nil {
		return err
	}
	s := page.String()
	end := strings.LastIndex(s, "</body>")
	if end < 0 {
		end = len(s)
	}
	var b strings.Builder
	b.WriteString(s[:end])
	for _, sec := range sections {
		if sec != "" {
			b.WriteString(string(sec))
			b.WriteString("\n")
		}
	}
	b.WriteString(s[end:])
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write eval HTML report: %w", err)
	}
	return nil
}
