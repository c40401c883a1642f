package guard

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// devsetPath is the development set of ticket threads (real support prose,
// HTML and plain text) that the built-in summariser is tuned on.
const devsetPath = "../eval/testdata/devset/tickets.jsonl"

// speedCase is one text the guard's outputs are pinned on, with the ticket
// whose session checks it (nil: no session).
type speedCase struct {
	ticket *ticketsum.Ticket
	text   string
}

// devsetTickets returns the development set's tickets.
func devsetTickets(tb testing.TB) []*ticketsum.Ticket {
	f, err := os.Open(devsetPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []*ticketsum.Ticket
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var tk ticketsum.Ticket
		if err := json.Unmarshal(sc.Bytes(), &tk); err != nil {
			tb.Fatal(err)
		}
		out = append(out, &tk)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// threadText is a ticket's subject and messages as one text, each message
// after its author, as the gateway checks a thread on the worker path.
func threadText(tk *ticketsum.Ticket) string {
	parts := []string{tk.Subject}
	for _, m := range tk.Messages {
		parts = append(parts, m.Author+":\n"+m.Body)
	}
	return strings.Join(parts, "\n\n")
}

// speedCases returns the texts of prefilterTexts (the test threads, the
// sample tickets' parts, the Presidio texts when the dataset is there) and
// every development-set ticket, each message on its own and the whole
// thread as one text, checked with the ticket's session.
func speedCases(t *testing.T) []speedCase {
	var cases []speedCase
	for _, text := range prefilterTexts(t) {
		cases = append(cases, speedCase{text: text})
	}
	for _, tk := range devsetTickets(t) {
		for _, m := range tk.Messages {
			cases = append(cases, speedCase{tk, m.Body})
		}
		cases = append(cases, speedCase{tk, threadText(tk)})
	}
	return cases
}

// speedOutcome is everything the guard says about a text, as one string:
// Detect's findings, and CheckInput's text, action, findings and flags.
// It also returns the number of findings.
func speedOutcome(t *testing.T, g *Guard, c speedCase) (string, int) {
	var b strings.Builder
	found := g.Detect(nil, c.text)
	for _, f := range found {
		fmt.Fprintf(&b, "%s %v|", f, f.Score)
	}
	var s *Session
	if c.ticket != nil {
		s = g.NewSession(c.ticket)
	}
	res, err := g.CheckInput(context.Background(), s, c.text)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "\n%s\n%s\n%s\n", res.Text, res.Action, strings.Join(res.Flags, " "))
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "%s %v %s|", f, f.Score, f.Placeholder)
	}
	return b.String(), len(found) + len(res.Findings)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// TestSpeedGolden pins the guard's outputs, text by text, to those of the
// implementation before the speed work of issue 13 (testdata/speed.golden:
// a hash of each text and of its outcome, so the file holds no text). The
// texts of the repository must all be there; the Presidio texts are checked
// when the dataset is. A difference names the text's position and hash;
// compare with the old implementation to see it.
func TestSpeedGolden(t *testing.T) {
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	path := filepath.Join("testdata", "speed.golden")
	cases := speedCases(t)
	got := map[string]string{}
	findings := 0
	for _, c := range cases {
		out, n := speedOutcome(t, g, c)
		findings += n
		id := ""
		if c.ticket != nil {
			id = c.ticket.ID
		}
		got[shortHash(id+"\x00"+c.text)] = shortHash(out)
	}
	if *update {
		var lines []string
		for k, v := range got {
			lines = append(lines, k+" "+v)
		}
		sort.Strings(lines)
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, _ := strings.Cut(line, " ")
		want[k] = v
	}
	checked := 0
	for k, v := range got {
		w, ok := want[k]
		if !ok {
			t.Errorf("text %s is not in %s", k, path)
			continue
		}
		if v != w {
			t.Errorf("text %s: outcome %s, want %s", k, v, w)
		}
		checked++
	}
	if findings < 1000 {
		t.Fatalf("only %d findings in %d texts: the comparison proves little", findings, len(cases))
	}
	t.Logf("%d texts (%d in the golden file), %d findings, identical", checked, len(want), findings)
}
