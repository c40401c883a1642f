package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// ListSize is how many tickets BenchList stores: the size of a support
// organisation's year (issue 19: "the ticket list serves 50,000+ tickets").
const ListSize = 50_000

// benchVocab is the vocabulary of subjects and summaries, most frequent
// first, drawn with a Zipf distribution as natural text is: a few words in
// nearly every ticket ("customer"), the named ones in a few percent of
// tickets each ("router", "firmware"), a long tail of rare ones; and
// "chargeback" planted in one ticket in 200.
var benchVocab = func() []string {
	common := strings.Fields("customer agent issue account reported error team asked update confirmed")
	named := strings.Fields(`invoice export login password reset router firmware sync calendar
		refund charge card plan upgrade downgrade mobile app crash email bounce domain
		printer driver queue report dashboard permission role admin webhook`)
	v := append([]string{}, common...)
	for len(v) < 2000 {
		if len(v) == 100 {
			v = append(v, named...)
			continue
		}
		v = append(v, fmt.Sprintf("term%04d", len(v)))
	}
	return v
}()

// seedWorkers is how many goroutines seed the store (SQLite serialises
// them on its one connection).
const seedWorkers = 8

// seedBenchList stores ListSize tickets of 1,500 words across five product
// lines, updated a minute apart, with a summary on 90% (the rest wait for the worker) and
// a failure on 1%.
func seedBenchList(b *testing.B, s Store) {
	b.Helper()
	ctx := context.Background()
	lines := []string{"billing", "mobile", "hardware", "identity", "integrations"}
	statuses := []ticketsum.Status{ticketsum.StatusResolved, ticketsum.StatusAwaitingCustomer, ticketsum.StatusAwaitingSupport}
	var wg sync.WaitGroup
	errs := make(chan error, seedWorkers)
	for w := range seedWorkers {
		wg.Go(func() {
			for i := w; i < ListSize; i += seedWorkers {
				r := rand.New(rand.NewPCG(uint64(i), 19))
				zipf := rand.NewZipf(r, 1.1, 1, uint64(len(benchVocab)-1))
				words := func(n int) string {
					out := make([]string, n)
					for j := range out {
						out[j] = benchVocab[zipf.Uint64()]
					}
					if i%200 == 7 {
						out[n/2] = "chargeback"
					}
					return strings.Join(out, " ")
				}
				tk := MustLongTicket(b, fmt.Sprintf("TS-%06d", i), 1500)
				tk.ProductLine, tk.Subject, tk.UpdatedAt = lines[i%len(lines)], words(6), Epoch.Add(time.Duration(i)*time.Minute)
				if _, err := s.UpsertTicket(ctx, tk); err != nil {
					errs <- err
					return
				}
				if i%10 == 9 {
					continue
				}
				sum := MustSummary(b, tk, "builtin", WithStatus(statuses[r.IntN(len(statuses))]),
					func(s *ticketsum.Summary) { s.Text = "The customer reported " + words(40) + "." })
				if _, err := s.SaveSummary(ctx, sum); err != nil {
					errs <- err
					return
				}
				if i%100 == 3 {
					if err := s.RecordFailure(ctx, MustFailure(b, tk)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("seed %d tickets: %v", ListSize, err)
	}
}

// benchList measures listing and searching ListSize tickets in s, a new
// store: the pages and searches a reviewer makes, each reported in ms/list
// with its number of matches.
func benchList(b *testing.B, s Store) {
	start := time.Now()
	seedBenchList(b, s)
	b.Logf("seeded %d tickets in %s", ListSize, time.Since(start).Round(time.Millisecond))
	benchListCases(b, s)
}

// benchListCases runs the list benchmarks on a seeded store.
func benchListCases(b *testing.B, s Store) {
	ctx := context.Background()
	cases := []struct {
		name string
		f    ticketsum.TicketFilter
	}{
		{"FirstPage", ticketsum.TicketFilter{Limit: 25}},
		{"Page1000", ticketsum.TicketFilter{Limit: 25, Offset: 999 * 25}},
		{"LastPage", ticketsum.TicketFilter{Limit: 25, Offset: ListSize - 25}},
		{"SortStatus", ticketsum.TicketFilter{Limit: 25, Sort: ticketsum.SortStatus}},
		{"SortProductLineReverse", ticketsum.TicketFilter{Limit: 25, Sort: ticketsum.SortProductLine, Reverse: true}},
		{"ProductLineAndStatus", ticketsum.TicketFilter{Limit: 25, ProductLine: "mobile", Status: ticketsum.StatusAwaitingSupport}},
		{"NoSummaryYet", ticketsum.TicketFilter{Limit: 25, State: ticketsum.StateNoSummary}},
		{"Failed", ticketsum.TicketFilter{Limit: 25, State: ticketsum.StateFailed}},
		{"DateRangeWeek", ticketsum.TicketFilter{Limit: 25, UpdatedFrom: Epoch.Add(10000 * time.Minute), UpdatedTo: Epoch.Add(20080 * time.Minute)}},
		{"SearchRareWord", ticketsum.TicketFilter{Limit: 25, Query: "chargeback"}},
		{"SearchWord", ticketsum.TicketFilter{Limit: 25, Query: "refund"}},
		{"SearchTwoWords", ticketsum.TicketFilter{Limit: 25, Query: "router firmware"}},
		{"SearchPrefix", ticketsum.TicketFilter{Limit: 25, Query: "webho"}},
		{"SearchCommonWord", ticketsum.TicketFilter{Limit: 25, Query: "customer"}},
		{"SearchID", ticketsum.TicketFilter{Limit: 25, Query: "ts-04999"}},
		{"SearchAndSortStatus", ticketsum.TicketFilter{Limit: 25, Query: "refund", Sort: ticketsum.SortStatus}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var total int
			cpu := processCPU()
			for b.Loop() {
				views, n, err := s.ListTickets(ctx, c.f)
				if err != nil || (n > 0 && len(views) == 0) {
					b.Fatalf("list %+v: %d of %d, %v", c.f, len(views), n, err)
				}
				total = n
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/list")
			if cpu > 0 {
				// In-process CPU: the whole query for SQLite, only the
				// client's share for Postgres.
				b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N)/1000, "cpu-ms/list")
			}
			b.ReportMetric(float64(total), "matches")
		})
	}
}
