package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var update = flag.Bool("update", false, "rewrite docs/cli from the command tree")

// docsDir is the command reference generated from the tree.
const docsDir = "../docs/cli"

// generateDocs writes the markdown reference of every command into dir
// with cobra's generator, each command showing only the global flags it
// uses, as its help does.
func generateDocs(root *cobra.Command, dir string) error {
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				if err := walk(sub); err != nil {
					return err
				}
			}
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
		var buf bytes.Buffer
		restore := hideUnusedGlobals(c)
		err := doc.GenMarkdown(c, &buf)
		restore()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
	}
	root.DisableAutoGenTag = true
	return walk(root)
}

// TestDocsAreCurrent fails when docs/cli differs from what the command
// tree generates: run `go test ./cli -run TestDocsAreCurrent -update` after
// changing a command.
func TestDocsAreCurrent(t *testing.T) {
	t.Parallel()
	root := newRoot(&env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }})
	fresh := t.TempDir()
	if err := generateDocs(root, fresh); err != nil {
		t.Fatal(err)
	}
	if *update {
		old, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
		for _, f := range old {
			os.Remove(f)
		}
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := readDir(t, fresh)
	if *update {
		for name, body := range want {
			if err := os.WriteFile(filepath.Join(docsDir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := readDir(t, docsDir)
	var stale []string
	for name, body := range want {
		if !bytes.Equal(got[name], body) {
			stale = append(stale, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			stale = append(stale, name+" (no such command)")
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Fatalf("docs/cli is stale (run: go test ./cli -run TestDocsAreCurrent -update): %s", strings.Join(stale, ", "))
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}
