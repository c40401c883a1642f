package chart

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// Path is where Assets is mounted and Scripts loads from.
const Path = "/static/chart/"

// Assets serves the chart scripts and stylesheet under Path (mount it at
// "GET "+Path), with a long cache lifetime: their names change with
// ECharts' version.
func Assets() http.Handler {
	sub, _ := fs.Sub(assets, "assets")
	files := http.StripPrefix(Path, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// Head returns the stylesheet link for a page's head.
func Head() template.HTML {
	return template.HTML(`<link rel="stylesheet" href="` + Path + `chart.css">`)
}

// Scripts returns the script elements that draw a page's charts; put them
// at the end of the body.
func Scripts() template.HTML {
	return template.HTML(`<script src="` + Path + `echarts.min.js"></script>` + "\n" + `<script src="` + Path + `chart.js"></script>`)
}

// InlineScripts returns the stylesheet and scripts inline, for a standalone
// HTML file that must open offline: ECharts' licence header stays in it.
func InlineScripts() template.HTML {
	var b strings.Builder
	css, _ := assets.ReadFile("assets/chart.css")
	b.WriteString("<style>\n")
	b.Write(css)
	b.WriteString("</style>\n")
	for _, name := range []string{"assets/echarts.min.js", "assets/chart.js"} {
		js, _ := assets.ReadFile(name)
		b.WriteString("<script>\n")
		// A script element ends at the first "</script"; neither file
		// holds one, and this keeps it so.
		b.WriteString(strings.ReplaceAll(string(js), "</script", `<\/script`))
		b.WriteString("\n</script>\n")
	}
	return template.HTML(b.String())
}

// CSP is what a page's Content-Security-Policy must allow for its charts.
const CSP = "script-src 'self'"
