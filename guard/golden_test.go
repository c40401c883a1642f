package guard

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n--- got\n%s", name, got)
	}
}

func TestRedactionGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	text, err := os.ReadFile("testdata/thread.txt")
	if err != nil {
		t.Fatal(err)
	}
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	tk := &ticketsum.Ticket{
		ID:       "T-7",
		Customer: ticketsum.Customer{Name: "Hannah Lindqvist", Email: "hannah.l@example.net"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Hannah Lindqvist", Body: "..."},
			{Role: ticketsum.RoleAgent, Author: "Devon Okafor", Body: "..."},
		},
	}
	s := g.NewSession(tk)
	in, err := g.CheckInput(ctx, s, string(text))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "action: %s\nflags: %s\n\n%s\n\nfindings:\n", in.Action, strings.Join(in.Flags, " "), in.Text)
	for _, f := range in.Findings {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	golden(t, "thread.input.golden", b.String())

	summary := "{NAME_1} was charged twice; {NAME_2} refunded the duplicate and {NAME_3} will follow up. Contact: hannah.l@example.net."
	scrubbed, _ := g.Scrub(s, summary)
	golden(t, "thread.scrub.golden", scrubbed+"\n")
}
