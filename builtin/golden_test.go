package builtin_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/ticketfile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSampleGolden pins the summaries of the bundled sample tickets, so that
// a change to the summariser's prose shows up as a reviewable diff of
// testdata/sample.golden (go test ./builtin -run TestSampleGolden -update).
// The golden file records the sample's hash: when the sample itself has
// changed, the test skips and asks for -update instead of failing.
func TestSampleGolden(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../sample/tickets.jsonl")
	if os.IsNotExist(err) {
		t.Skip("no bundled sample")
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:6])
	s := builtin.MustNew(t, builtin.Config{})
	d := ticketfile.NewDecoder(strings.NewReader(string(raw)), "sample", ticketfile.Options{})
	var b strings.Builder
	fmt.Fprintf(&b, "# builtin %s summaries of sample/tickets.jsonl (sha256 %s)\n", builtin.PromptVersion, hash)
	for {
		tk, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Summarize(context.Background(), tk)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n%s [%s]\n%s\n", tk.ID, got.Status, got.Text)
	}
	path := filepath.Join("testdata", "sample.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !strings.Contains(strings.SplitN(string(want), "\n", 2)[0], hash) {
		t.Skipf("sample/tickets.jsonl changed since %s was written; review the summaries and run with -update", path)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update after reviewing)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d", path, len(gl), len(wl))
	}
}
