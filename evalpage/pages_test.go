package evalpage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/evalpage"
)

// TestRunPageAnswersInWords checks that a run's page opens with the
// answer: what to use at what weekly and monthly cost, who missed which
// bar by how much, who could not be evaluated and why; then a card per
// configuration, the chart, the sample with differing statuses marked and
// the form that starts its blind rating.
func TestRunPageAnswersInWords(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, false)
	code, body := e.MustGet(t, "/evals/"+url.PathEscape(e.Run.ID))
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		// Cheapest meeting every bar; 0.0000875 x 8,000 = $0.70 a week, x 52/12 = $3.03 a month.
		"Use nova-lite v2: $0.70 a week, $3.03 a month at 8,000 tickets a week.",
		"nova-lite v2 (bedrock:amazon.nova-lite-v1:0, prompt default-v2) is the cheapest of the configurations that made every summary and met every bar",
		"2 other configurations also did; the next cheapest, nova-lite v3, costs the same",
		"builtin missed ROUGE-L ≥ 25 by 0.9 (got 24.1).",
		`sonnet v2 could not be evaluated: all 12 tickets failed: 12 × principal "eval" may not call bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0 (forbidden).`,
		"status inferred on 12 of 12",
		`<div id="quality-cost"`,
		"bar: ROUGE-L", // in the chart's JSON option
		"Not drawn (no ROUGE-L): sonnet v2.",
		"status differs",
		`action="/review/tasks/new"`,
		`name="csrf" value="` + e.Svc.FormToken(nil, nil) + `"`,
		`/evals/` + url.PathEscape(e.Run.ID) + `/tickets/T-000`,
		"Printer jams on page 1",
		`<a href="/evals" aria-current="page">Evaluations</a>`,
		`<link rel="stylesheet" href="/evals/static/evals.css">`,
	} {
		if !strings.Contains(text, html.UnescapeString(want)) {
			t.Errorf("run page lacks %q", want)
		}
	}
	// Cards: one per configuration, the recommended first.
	if n := strings.Count(body, `role="listitem"`); n != 5 {
		t.Errorf("%d cards, want 5", n)
	}
	first := regexp.MustCompile(`role="listitem" aria-label="([^"]+)"`).FindStringSubmatch(body)
	if first == nil || first[1] != "nova-lite v2" {
		t.Errorf("first card %v, want the recommended nova-lite v2", first)
	}
	// The sample: 8 tickets, those where builtin's status differs first
	// (every sixth ticket: it says resolved on every third, which is right on odd ones); the failing configuration has no summaries, so
	// the sample compares the four others and the button rates those.
	tickets := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(tickets) != 8 || tickets[0][1] != "T-000" || tickets[1][1] != "T-006" {
		t.Errorf("sample tickets %v, want 8 starting with T-000, T-006", tickets)
	}
	checked := regexp.MustCompile(`name="config" value="([^"]+)" checked`).FindAllStringSubmatch(body, -1)
	if len(checked) != 3 || checked[0][1] != "nova-lite v2" {
		t.Errorf("configurations checked %v, want three with the recommended", checked)
	}
}

// TestStartRatingFromRunPage posts the run page's form as a browser would
// and checks that rating tasks of exactly the shown sample exist.
func TestStartRatingFromRunPage(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, false)
	_, body := e.MustGet(t, "/evals/"+url.PathEscape(e.Run.ID))
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="(?:hidden|checkbox)" name="([a-z]+)" value="([^"]+)"( checked)?`).FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[0], "checkbox") && m[3] == "" {
			continue
		}
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	form.Set("config", "nova-lite v2")
	form.Add("config", "haiku v2")
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/review/tasks/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: status %d, want a redirect to the first task", res.StatusCode)
	}
	_, list := e.MustGet(t, "/review/api/tasks?source="+url.QueryEscape("eval:"+e.Run.ID))
	var got struct {
		Tasks []struct {
			TicketID string `json:"ticket_id"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(list), &got); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range got.Tasks {
		ids = append(ids, tk.TicketID)
	}
	slices.Sort(ids)
	want := form["ticket"]
	slices.Sort(want)
	if len(want) != 8 || !slices.Equal(ids, want) {
		t.Errorf("tasks of tickets %v, want the sample %v", ids, want)
	}
}

// TestListPageHistory checks /evals: newest first, the history chart of
// the chosen figure with a control to choose another, errors apart.
func TestListPageHistory(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, true)
	for _, tt := range []struct{ figure, want string }{
		{"", "Quality: ROUGE-L over time"},
		{"cost", "Cost per week over time"},
		{"errors", "Tickets that failed over time"},
		{"nonsense", "Quality: ROUGE-L over time"},
	} {
		code, body := e.MustGet(t, "/evals?figure="+tt.figure)
		if code != http.StatusOK {
			t.Fatalf("figure %q: status %d", tt.figure, code)
		}
		text := html.UnescapeString(body)
		if !strings.Contains(text, tt.want) || !strings.Contains(body, `<div id="history"`) {
			t.Errorf("figure %q: page lacks %q or the chart", tt.figure, tt.want)
		}
		if n := strings.Count(body, `class="card ev-run"`); n != 3 {
			t.Errorf("figure %q: %d runs listed, want 3", tt.figure, n)
		}
		if !strings.Contains(text, "5 configurations: 3 met every bar, 1 missed one, 1 could not be evaluated") {
			t.Errorf("figure %q: the run lines do not say how each went", tt.figure)
		}
	}
	_, body := e.MustGet(t, "/evals")
	if i, j := strings.Index(body, "2026-11-30 09:00"), strings.Index(body, "2026-11-16 09:00"); i < 0 || j < 0 || i > j {
		t.Errorf("runs not newest first (%d, %d)", i, j)
	}
}

// TestPagesSayWhatIsMissing checks empty and unknown cases.
func TestPagesSayWhatIsMissing(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, false)
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/evals/nosuch", http.StatusNotFound, "no eval run"},
		{"/evals/" + url.PathEscape(e.Run.ID) + "/tickets/nosuch", http.StatusNotFound, "is not stored"},
		{"/evals/" + url.PathEscape(e.Run.ID) + "/tickets/T-006", http.StatusOK, "status differs"},
		{"/evals/a/b/c/d", http.StatusNotFound, "there is nothing at"},
	} {
		code, body := e.MustGet(t, tt.path)
		if code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("%s: status %d, want %d with %q", tt.path, code, tt.code, tt.want)
		}
	}
}

// TestStandaloneOpensOffline checks that the standalone page holds its
// styles and scripts inline and loads nothing.
func TestStandaloneOpensOffline(t *testing.T) {
	t.Parallel()
	rep, ds := fixtureReport(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := evalpage.WriteStandalone(&b, evalpage.RunData{Report: rep, Items: rep.Items, Tickets: ticketsOf(ds)}, "<section id=plan>plan</section>"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{`<link rel="stylesheet"`, `<script src=`, `src="http`, `href="/static`, `<form`} {
		if strings.Contains(page, bad) {
			t.Errorf("standalone page holds %q", bad)
		}
	}
	for _, want := range []string{"echarts", ".ev-cards", "Use nova-lite v2", "<section id=plan>plan</section>", "Printer jams on page 1"} {
		if !strings.Contains(page, want) {
			t.Errorf("standalone page lacks %q", want)
		}
	}
}

func ticketsOf(ds *eval.Dataset) map[string]*ticketsum.Ticket {
	out := map[string]*ticketsum.Ticket{}
	for _, t := range ds.Tickets {
		out[t.ID] = t
	}
	return out
}

// TestImportedRunPage shows a run imported from an Amazon Bedrock
// evaluation job: its metrics in words and on the cards, no cost chart,
// and no recommendation; the history leaves it out of the charted figures.
func TestImportedRunPage(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, false)
	run := &eval.Run{ID: "bedrock-ts-20261130t090000z-1", StartedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		Dataset: eval.DatasetInfo{Name: "bedrock:ts-20261130t090000z-1", Tickets: 12}, Judge: "anthropic.claude-3-5-sonnet-20240620-v1:0",
		Config: map[string]string{"source": "bedrock"},
		Configurations: []eval.CellMetrics{{Name: "nova-lite_v2", Model: "nova-lite_v2", Tickets: 12, Verdict: "imported",
			External: map[string]float64{"Builtin.Correctness": 0.917, "Builtin.Harmfulness": 0}}}}
	if err := e.Store.SaveRun(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	code, body := e.MustGet(t, "/evals/"+run.ID)
	text := html.UnescapeString(body)
	for _, want := range []string{"Scores of an Amazon Bedrock evaluation job", "nova-lite_v2 on 12 prompts: Correctness 0.92, Harmfulness 0.00.",
		"has no cost figures", "<dt title=\"Builtin.Correctness, from an Amazon Bedrock evaluation job (0 to 1)\">Correctness</dt><dd>0.92"} {
		if code != http.StatusOK || !strings.Contains(text, want) {
			t.Errorf("imported run page (status %d) lacks %q", code, want)
		}
	}
	_, list := e.MustGet(t, "/evals")
	if !strings.Contains(list, "imported from bedrock") || strings.Contains(list, "nova-lite_v2") {
		t.Errorf("/evals: the imported run is not listed as imported, or its configuration is charted as a local one")
	}
}
