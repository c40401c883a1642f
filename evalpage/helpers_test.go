package evalpage_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/evalpage"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/web"
)

// fixtureTickets is the dataset of the fixture run.
const fixtureTickets = 12

func ptr(f float64) *float64 { return &f }

// fixtureConfig is one configuration of the fixture run.
type fixtureConfig struct {
	name, model, prompt string
	costTicket, rougeL  float64
	failing             bool
	// statusOf gives the status it writes for ticket i.
	statusOf func(i int) ticketsum.Status
}

var fixtureConfigs = []fixtureConfig{
	{"nova-lite v2", "bedrock:amazon.nova-lite-v1:0", "default-v2", 0.0000875, 31.2, false, labelled},
	{"nova-lite v3", "bedrock:amazon.nova-lite-v1:0", "default-v3", 0.0000875, 31.2, false, labelled},
	{"haiku v2", "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0", "default-v2", 0.0013, 33.0, false, labelled},
	{"builtin", "builtin", "builtin-v1", 0, 24.1, false, func(i int) ticketsum.Status {
		if i%3 == 0 {
			return ticketsum.StatusResolved // wrong on every third ticket
		}
		return labelled(i)
	}},
	{"sonnet v2", "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0", "default-v2", 0.0041, 0, true, labelled},
}

// labelled is the right status of ticket i.
func labelled(i int) ticketsum.Status {
	if i%2 == 0 {
		return ticketsum.StatusAwaitingCustomer
	}
	return ticketsum.StatusResolved
}

// fixtureReport is a run of five configurations on twelve labelled
// tickets: two equal cheap ones that meet every bar, a dearer one that
// does too, one that misses the ROUGE-L bar, and one whose every call was
// refused.
func fixtureReport(at time.Time) (*eval.Report, *eval.Dataset) {
	var tickets []*ticketsum.Ticket
	for i := range fixtureTickets {
		tickets = append(tickets, &ticketsum.Ticket{ID: fmt.Sprintf("T-%03d", i), Subject: fmt.Sprintf("Printer jams on page %d", i+1),
			ProductLine: "printers", References: []string{"The customer's printer jams; the agent explained how to clean the rollers."},
			ExpectedStatus: labelled(i),
			Messages: []ticketsum.Message{
				{Role: ticketsum.RoleCustomer, Body: fmt.Sprintf("My printer jams on page %d of every job.", i+1)},
				{Role: ticketsum.RoleAgent, Body: "Clean the rollers with a dry cloth and tell us if it still jams."},
			}})
	}
	ds := eval.NewDataset("printers.jsonl", tickets)
	rep := &eval.Report{Dataset: eval.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tickets: fixtureTickets}, StartedAt: at, TicketsPerWeek: 8000,
		Bars: []eval.Bar{{Metric: "rougeL", Op: ">=", Value: 25}, {Metric: "pii_leaks", Op: "<=", Value: 0}}}
	for _, c := range fixtureConfigs {
		m := eval.CellMetrics{Name: c.name, Model: c.model, PromptVersion: c.prompt, Tickets: fixtureTickets, WithReferences: fixtureTickets,
			CostPerTicketUSD: c.costTicket, CostPerWeekUSD: c.costTicket * 8000, FormatCompliance: 100, LatencyP50MS: 800, LatencyP95MS: 1400,
			RougeL: ptr(c.rougeL), Rouge1: ptr(c.rougeL + 10), Rouge2: ptr(c.rougeL / 2), StatusLabelled: fixtureTickets}
		right := 0
		for i, t := range tickets {
			it := eval.Item{Config: c.name, TicketID: t.ID, Model: c.model, ExpectedStatus: t.ExpectedStatus}
			if c.failing {
				it.Error, it.ErrorCode = `principal "eval" may not call `+c.model+"; run: ticketsum principals put eval --models "+c.model, "forbidden"
			} else {
				it.Status = c.statusOf(i)
				it.Summary = fmt.Sprintf("The customer's printer jams on page %d; %s suggested cleaning the rollers.", i+1, c.name)
				if it.Status == t.ExpectedStatus {
					right++
				}
				if c.name == "builtin" {
					it.Flags = []string{ticketsum.FlagStatusInferred}
				}
			}
			rep.Items = append(rep.Items, it)
		}
		if c.failing {
			m.Errors, m.RougeL, m.Rouge1, m.Rouge2 = fixtureTickets, nil, nil, nil
			m.ErrorReasons = []eval.Reason{{Code: "forbidden", Message: `principal "eval" may not call ` + c.model, Count: fixtureTickets}}
		} else {
			m.StatusAccuracy = ptr(100 * float64(right) / fixtureTickets)
		}
		rep.Configurations = append(rep.Configurations, m)
	}
	rep.CheckBars()
	return rep, ds
}

// env is a served UI with the eval pages and the review pages, on SQLite.
type env struct {
	URL   string
	Svc   *review.Service
	Store *review.SQLStore
	Run   *eval.Run
}

// MustEnv serves the eval and review pages on a fresh store holding the
// fixture run (and, with history, two earlier runs).
func MustEnv(tb testing.TB, history bool) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(tb.TempDir(), "ticketsum.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	st, err := review.NewSQLStore(db.DB(), review.SQLite)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	// The header of ticketsum serve.
	nav := []web.Link{{Label: "Review", Path: "/review/"}, {Label: "Evaluations", Path: "/evals"}, {Label: "Governance", Path: "/governance"}}
	svc, err := review.New(review.Config{Store: st, Tickets: db, Seed: 7, CSRFSecret: []byte("0123456789abcdef0123456789abcdef"), Nav: nav})
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if history {
		for d := 2; d >= 1; d-- {
			rep, ds := fixtureReport(at.AddDate(0, 0, -7*d))
			rep.Configurations[3].RougeL = ptr(26 - float64(d)) // builtin drifts
			rep.CheckBars()
			if _, err := svc.SaveEvalRun(ctx, rep, ds, map[string]string{"bars": "rougeL>=25"}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	rep, ds := fixtureReport(at)
	run, err := svc.SaveEvalRun(ctx, rep, ds, map[string]string{"bars": "rougeL>=25,pii_leaks<=0"})
	if err != nil {
		tb.Fatal(err)
	}
	pages, err := evalpage.New(evalpage.Config{Store: st, Nav: nav, FormToken: svc.FormToken})
	if err != nil {
		tb.Fatal(err)
	}
	rh, err := svc.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	mount := pages.Routes()
	mount["/review/"] = rh
	mount["GET "+chart.Path] = chart.Assets()
	srv, err := web.New(web.Config{Store: db, Nav: nav, Mount: mount})
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return &env{URL: hs.URL, Svc: svc, Store: st, Run: run}
}

// MustGet fetches path and returns its status and body.
func (e *env) MustGet(tb testing.TB, path string) (int, string) {
	tb.Helper()
	res, err := http.Get(e.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, string(b)
}
