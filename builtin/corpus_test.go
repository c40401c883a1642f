package builtin_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

const (
	devsetPath = "../eval/testdata/devset/tickets.jsonl"
	samplePath = "../sample/tickets.jsonl"
)

// mustCorpus decodes a JSON-lines ticket file, or skips the test when the
// file is missing.
func mustCorpus(tb testing.TB, path string) []*ticketsum.Ticket {
	tb.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("no %s", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	d := ticketfile.NewDecoder(f, path, ticketfile.Options{})
	var out []*ticketsum.Ticket
	for {
		t, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, t)
	}
}

// joinTickets joins the threads of src into tickets of at least words
// words each: starting at src[start] and taking every step-th ticket,
// skipping those larger than maxSize bytes, each output ticket keeps the
// first ticket's ID, subject and customer and carries the messages of
// every ticket joined into it. A trailing ticket short of words is
// dropped. The result depends only on its arguments, so corpora built from
// it are deterministic.
func joinTickets(src []*ticketsum.Ticket, words, start, step, maxSize int) []*ticketsum.Ticket {
	var out []*ticketsum.Ticket
	var cur *ticketsum.Ticket
	count := 0
	for i := start; i < len(src); i += step {
		t := src[i]
		if t.Size() > maxSize {
			continue
		}
		if cur == nil {
			c := *t
			c.Messages = append([]ticketsum.Message(nil), t.Messages...)
			cur, count = &c, 0
		} else {
			cur.Messages = append(cur.Messages, t.Messages...)
		}
		for _, m := range t.Messages {
			count += len(strings.Fields(m.Body))
		}
		if count >= words {
			out = append(out, cur)
			cur = nil
		}
	}
	return out
}

// rotate returns src starting at src[k mod len(src)], wrapping around.
func rotate(src []*ticketsum.Ticket, k int) []*ticketsum.Ticket {
	k %= len(src)
	return append(append([]*ticketsum.Ticket(nil), src[k:]...), src[:k]...)
}

// ticketSized returns the corpus's tickets of about 1,500 words: the
// development set's threads under 32 KB joined in file order into tickets
// of at least 1,500 words, starting from eight points of the set (every
// 19th thread), so that the threads meet in different places.
func ticketSized(dev []*ticketsum.Ticket) []*ticketsum.Ticket {
	var out []*ticketsum.Ticket
	for r := range 8 {
		out = append(out, joinTickets(rotate(dev, r*19), 1500, 0, 1, 32<<10)...)
	}
	return out
}

// longCorpus returns the golden corpus of ticket-sized and longer threads,
// as JSON lines, built deterministically from the development set and the
// bundled sample tickets:
//
//   - W1500: ticketSized's tickets of about 1,500 words (those
//     BenchmarkTicket1500Words cycles through);
//   - ODD1500 and EVEN1500: every second thread, of any size (the set's
//     32-119 KB threads among them), joined into 1,500 words;
//   - S1500: the sample tickets joined into 1,500 words;
//   - LONG: ten tickets of 3,000 to 16,500 words from rotating starting
//     points of the development set, the longest past the summariser's
//     64 KiB input cap.
//
// Each ticket is renamed after its part and position ("W1500-03").
func longCorpus(tb testing.TB) []byte {
	tb.Helper()
	dev, sample := mustCorpus(tb, devsetPath), mustCorpus(tb, samplePath)
	type part struct {
		name    string
		tickets []*ticketsum.Ticket
	}
	parts := []part{
		{"W1500", ticketSized(dev)},
		{"ODD1500", joinTickets(dev, 1500, 1, 2, 1<<30)},
		{"EVEN1500", joinTickets(dev, 1500, 0, 2, 1<<30)},
		{"S1500", joinTickets(sample, 1500, 0, 1, 1<<30)},
	}
	var long []*ticketsum.Ticket
	for k := range 10 {
		twice := append(rotate(dev, k*15), rotate(dev, k*15)...)
		if j := joinTickets(twice, 3000+k*1500, 0, 1, 32<<10); len(j) > 0 {
			long = append(long, j[0])
		}
	}
	parts = append(parts, part{"LONG", long})
	var b strings.Builder
	for _, p := range parts {
		for i, t := range p.tickets {
			c := *t
			c.ID = fmt.Sprintf("%s-%02d", p.name, i+1)
			c.ExpectedStatus = ""
			line, err := json.Marshal(&c)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}
