// Package datasets finds the public evaluation datasets (shared/datasets:
// TweetSumm, DialogSum and others, data only) that some tests and
// benchmarks read. They live beside the repository, not in it: a checkout
// at /work/main finds them at /work/shared/datasets, and so does a worktree
// or CI checkout deeper under /work, because Dir looks in every parent of
// the working directory. A test that needs them skips, saying what it
// looked for and how to point at them, where they are missing.
package datasets

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Env names the environment variable that, when set, is the datasets
// directory (the folder holding tweetsumm/, dialogsum/ ...).
const Env = "TICKETSUM_DATASETS"

var dir = sync.OnceValue(func() string {
	if d := os.Getenv(Env); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "shared", "datasets")); err == nil && fi.IsDir() {
			return filepath.Join(d, "shared", "datasets")
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
})

// Dir returns the datasets directory: $TICKETSUM_DATASETS, else the
// nearest shared/datasets in the working directory or one of its parents;
// "" when there is none.
func Dir() string { return dir() }

// Path returns the path of name (such as "tweetsumm/tweetsumm_test.jsonl")
// in the datasets directory. When the directory or the file is missing it
// skips tb with a message that names what is missing, that only the
// repository's own data was used, and how to supply the datasets.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skipf("shared datasets not found (no shared/datasets in any parent of the working directory, %s unset): %s not read, only the repository's own data is tested", Env, name)
	}
	p := filepath.Join(d, name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s not read, only the repository's own data is tested: %v (set %s to the datasets directory)", name, err, Env)
	}
	return p
}
