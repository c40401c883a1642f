package guard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sample"
)

// benchText returns a sample thread repeated to about n bytes.
func benchText(b *testing.B, file string, n int) string {
	b.Helper()
	t, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		b.Fatal(err)
	}
	return strings.Repeat(string(t)+"\n", n/len(t)+1)[:n]
}

func benchCheck(b *testing.B, file string, n int) {
	text := benchText(b, file, n)
	for !utf8Start(text) {
		text = text[:len(text)-1]
	}
	g := MustGuard(b, Config{Topics: DefaultTopics()})
	tk := &ticketsum.Ticket{ID: "B", Customer: ticketsum.Customer{Name: "Hannah Lindqvist"}, Messages: []ticketsum.Message{{Role: ticketsum.RoleAgent, Author: "Devon Okafor", Body: "x"}}}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	runs := 0
	for b.Loop() {
		s := g.NewSession(tk)
		if _, err := g.CheckInput(context.Background(), s, text); err != nil {
			b.Fatal(err)
		}
		runs++
	}
	// MB per CPU-second: unlike MB/s it does not fall when other processes
	// share the cores (the GC's background work is counted too).
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(runs*len(text))/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

func utf8Start(s string) bool { return strings.ToValidUTF8(s, "") == s }

// BenchmarkCheckInputTicket checks one ticket-sized thread (about 9 KB,
// some 1,500 words) of ordinary support prose with a few names.
func BenchmarkCheckInputTicket(b *testing.B) { benchCheck(b, "prose.txt", 9_000) }

// BenchmarkCheckInputDense checks a 9 KB thread packed with personal data,
// prompt attacks and keywords: the pessimistic case.
func BenchmarkCheckInputDense(b *testing.B) { benchCheck(b, "thread.txt", 9_000) }

// BenchmarkCheckInputLarge checks 500 KB, to show the cost stays linear.
func BenchmarkCheckInputLarge(b *testing.B) { benchCheck(b, "thread.txt", 500_000) }

// BenchmarkCheckSampleTickets checks the 50 bundled sample tickets as the
// gateway does on the worker path: each thread (subject and messages, about
// 1 KB, real support prose with names, emails, order numbers, dates and
// prices) checked as one input with the ticket's session.
func BenchmarkCheckSampleTickets(b *testing.B) {
	tickets, err := sample.Tickets()
	if err != nil {
		b.Fatal(err)
	}
	benchThreads(b, tickets)
}

// BenchmarkCheckDevset checks every thread of the development set (real
// support tickets, HTML and plain text, 0.3-120 KB, about 570 KB in all) as
// the worker path does: the whole thread as one input, with the ticket's
// session.
func BenchmarkCheckDevset(b *testing.B) { benchThreads(b, devsetTickets(b)) }

// benchThreads checks each ticket's thread (threadText) with the ticket's
// session; one op is a pass over all of them.
func benchThreads(b *testing.B, tickets []*ticketsum.Ticket) {
	var threads []string
	n := 0
	for _, tk := range tickets {
		threads = append(threads, threadText(tk))
		n += len(threads[len(threads)-1])
	}
	g := MustGuard(b, Config{Topics: DefaultTopics()})
	b.SetBytes(int64(n))
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	runs := 0
	for b.Loop() {
		for i, tk := range tickets {
			if _, err := g.CheckInput(context.Background(), g.NewSession(tk), threads[i]); err != nil {
				b.Fatal(err)
			}
		}
		runs++
	}
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(runs*n)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
