package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDir finds shared/datasets in a parent of the working directory, as
// from a worktree two levels deeper than the main checkout; when there is
// none it says so rather than passing silently.
func TestDir(t *testing.T) {
	d := Dir()
	if d == "" {
		t.Skipf("no shared/datasets in any parent of the working directory and %s unset: the dataset tests skip", Env)
	}
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
		t.Fatalf("Dir() = %q: %v", d, err)
	}
	if os.Getenv(Env) == "" && filepath.Base(filepath.Dir(d)) != "shared" {
		t.Errorf("Dir() = %q, want a shared/datasets folder", d)
	}
	t.Logf("shared datasets at %s", d)
}

// TestPathSkipsWithAMessage: a missing dataset skips, never fails.
func TestPathSkipsWithAMessage(t *testing.T) {
	ok := t.Run("missing", func(t *testing.T) {
		Path(t, "no-such-set/none.jsonl")
		t.Fatal("Path returned for a missing dataset")
	})
	if !ok {
		t.Error("a missing dataset failed the test instead of skipping it")
	}
}
