package eval_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// TestFilesArePrivate checks that the eval cache (summaries of tickets) and
// the run history are written for their owner only, as the data directory
// holding them is (0700), also when they are configured elsewhere.
func TestFilesArePrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cache := eval.DirCache{Dir: filepath.Join(dir, "cache")}
	if err := cache.Put("abcdef", &eval.CachedSummary{Summary: ticketsum.Summary{Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	hist := &eval.JSONLStore{Path: filepath.Join(dir, "history.jsonl")}
	if err := hist.SaveRun(context.Background(), &eval.Run{ID: "r1"}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group or others", path, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
