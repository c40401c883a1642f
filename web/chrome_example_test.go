package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	"github.com/ticketsum/ticketsum/web"
)

// A mounted package renders its page inside the shared layout: its template
// defines "content", its page data embeds web.Chrome, and the header marks
// its own nav link as current and loads its stylesheet.
func ExampleRenderPage() {
	pages := fstest.MapFS{"hello.html": {Data: []byte(`{{define "content"}}<h1>{{.Greeting}}</h1>{{end}}`)}}
	tpl, err := web.ParsePage("hello", nil, pages, "hello.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	type helloPage struct {
		web.Chrome
		Greeting string
	}
	data := helloPage{
		Chrome: web.Chrome{Title: "Hello", Product: "ticketsum", Active: "/hello",
			Nav: []web.Link{{Label: "Hello", Path: "/hello"}}, Stylesheets: []string{"/hello/style.css"}},
		Greeting: "Hello, reviewer",
	}
	rec := httptest.NewRecorder()
	web.RenderPage(rec, httptest.NewRequest(http.MethodGet, "/hello", nil), nil, http.StatusOK, tpl, data)
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.Contains(line, "<title>") || strings.Contains(line, "stylesheet") || strings.Contains(line, "aria-current") || strings.Contains(line, "<h1>") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// <title>Hello · ticketsum</title>
	// <link rel="stylesheet" href="/static/style.css">
	// <link rel="stylesheet" href="/hello/style.css">
	// <a href="/hello" aria-current="page">Hello</a>
	// <h1>Hello, reviewer</h1>
}
