package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fullDiskWant checks what a command on a full disk prints: exit 1, the
// data directory and the fix, no "internal error", no key file's content.
func fullDiskWant(t *testing.T, code int, stderr, dataDir string) {
	t.Helper()
	if code != exitFailure || !strings.Contains(stderr, "the disk of the data directory "+dataDir+" is full") ||
		!strings.Contains(stderr, "free space on it") || !strings.Contains(stderr, "data_dir (--data-dir)") ||
		strings.Contains(stderr, "internal error") {
		t.Errorf("exit %d\n%s\nwant exit 1 naming the data directory %s and the fix", code, stderr, dataDir)
	}
	keys, _ := filepath.Glob(filepath.Join(dataDir, "keys", "*"))
	for _, k := range keys {
		b, _ := os.ReadFile(k)
		if s := strings.TrimSpace(string(b)); len(s) > 8 && strings.Contains(stderr, s) {
			t.Errorf("stderr shows the content of %s", k)
		}
	}
}

// TestAdminCommandsOnAFullDisk is the chaos walk's full disk: the data
// directory on a 2 MiB tmpfs, filled up after init. `keys create` said
// "internal error" and "database or disk is full" (some room left) or
// "disk I/O error" (none left). Mounting needs root; the SQLite error
// alone is tested by TestDiskFullErrorNamesTheDataDir everywhere.
func TestAdminCommandsOnAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; TestDiskFullErrorNamesTheDataDir covers the report")
	}
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", disk).Run() })
	dataDir := filepath.Join(disk, "data")
	cfg := filepath.Join(t.TempDir(), "ticketsum.yaml") // init writes one; not in the source tree
	ctx := context.Background()
	for _, args := range [][]string{{"init"}, {"principals", "put", "team-a", "--budget", "5", "--models", "builtin"}} {
		if r := run(t, ctx, "", append(args, "--config", cfg, "--data-dir", dataDir)...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	filler := filepath.Join(disk, "filler")
	for _, left := range []int64{32 << 10, 0} {
		t.Run(fmt.Sprintf("%d KiB left", left>>10), func(t *testing.T) {
			f, err := os.Create(filler)
			if err != nil {
				t.Fatal(err)
			}
			block := make([]byte, 4096)
			var n int64
			for {
				w, err := f.Write(block)
				n += int64(w)
				if err != nil {
					break
				}
			}
			if err := f.Truncate(max(0, n-left)); err != nil {
				t.Fatal(err)
			}
			f.Close()
			r := run(t, ctx, "", "keys", "create", "--principal", "team-a", "--config", cfg, "--data-dir", dataDir)
			fullDiskWant(t, r.code, r.stderr, dataDir)
		})
	}
}

// TestDiskFullErrorNamesTheDataDir: SQLite's own "database or disk is
// full" (a database limited to its pages, standing for a full disk) in an
// admin command's error is reported with the data directory and the fix.
func TestDiskFullErrorNamesTheDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE k (v BLOB)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	_, full := db.Exec(`INSERT INTO k VALUES (?)`, bytes.Repeat([]byte("x"), 1<<16))
	if full == nil {
		t.Fatal("insert past max_page_count succeeded")
	}
	var stderr bytes.Buffer
	e := &env{stderr: &stderr, dataDir: dir, dbPath: filepath.Join(dir, "ticketsum.db")}
	code := e.report(nil, fmt.Errorf("create key abc: %w", full))
	fullDiskWant(t, code, stderr.String(), dir)
}
