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

// TestGolden pins the summaries of two corpora, so that a change to the
// summariser's prose shows up as a reviewable diff of testdata/*.golden
// (go test ./builtin -run TestGolden -update), and so that speed work is
// proved not to change any output: the bundled sample tickets and the
// labelled development set (eval/testdata/devset). Each golden file records
// its corpus's hash: when the corpus itself has changed, the test skips
// and asks for -update instead of failing. The third corpus, "long", holds
// ticket-sized threads of 1,500 words and longer ones up to 16,500 words,
// built from the other two by longCorpus: the size the speed budget is
// set for.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, corpus string }{
		{"sample", samplePath},
		{"devset", devsetPath},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(c.corpus)
			if os.IsNotExist(err) {
				t.Skipf("no %s", c.corpus)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, raw, c.corpus, filepath.Join("testdata", c.name+".golden"))
		})
	}
	t.Run("long", func(t *testing.T) {
		t.Parallel()
		checkGolden(t, longCorpus(t), "../longCorpus(devset, sample)", filepath.Join("testdata", "long.golden"))
	})
}

func checkGolden(t *testing.T, raw []byte, corpus, path string) {
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:6])
	got := goldenText(t, raw, corpus, hash)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !strings.Contains(strings.SplitN(string(want), "\n", 2)[0], hash) {
		t.Skipf("%s changed since %s was written; review the summaries and run with -update", corpus, path)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update after reviewing)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d", path, len(gl), len(wl))
	}
}

// goldenText summarises every ticket of a corpus, one block per ticket.
func goldenText(t *testing.T, raw []byte, corpus, hash string) string {
	s := builtin.MustNew(t, builtin.Config{})
	d := ticketfile.NewDecoder(strings.NewReader(string(raw)), corpus, ticketfile.Options{})
	var b strings.Builder
	fmt.Fprintf(&b, "# builtin %s summaries of %s (sha256 %s)\n", builtin.PromptVersion, strings.TrimPrefix(corpus, "../"), hash)
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
	return b.String()
}
