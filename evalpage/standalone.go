package evalpage

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/web"
)

// WriteStandalone writes a run's page as one self-contained HTML file that
// opens offline: the shared layout with its styles, the chart scripts and
// the page's own styles inline, no request to any server. Sample tickets
// are not linked (their threads stay in the store) and there is no button
// (the file has no server to post to); sections, such as the deployment
// plan of the evaluated models, are added at the end of the page.
func WriteStandalone(w io.Writer, d RunData, sections ...template.HTML) error {
	pages, err := parsePages()
	if err != nil {
		return err
	}
	// The stylesheets are the product's own files, embedded; none holds
	// "</style". The chart scripts go at the end of the body, as served.
	inline := template.HTML("<style>\n" + web.StyleSheet() + "\n" + evalsCSS + "\n</style>")
	p := runPage{
		Chrome: web.Chrome{Title: "Evaluation of " + d.Report.Dataset.Name, Product: "ticketsum", Inline: inline,
			Footer: "evaluation report written by ticketsum eval --html; the threads and the blind rating are in ticketsum serve under Evaluations."},
		Run: buildRun(d, nil), Scripts: chart.InlineScripts(),
	}
	if d.ID != "" && len(p.Run.Samples) > 0 {
		p.StartNote = fmt.Sprintf("Start the blind rating of these tickets from this run's page, /evals/%s in ticketsum serve.", d.ID)
	}
	for _, s := range sections {
		if s != "" {
			p.Sections = append(p.Sections, s)
		}
	}
	var buf bytes.Buffer
	if err := pages["run"].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("write eval HTML report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write eval HTML report: %w", err)
	}
	return nil
}
