package audit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestKeyFilesAllOrNothing creates the invocation log's key file and the
// trail's signing key in a process whose writes fail part-way (a file size
// limit of 10 bytes stands in for a full disk: the spool's key was seen
// created empty when the data directory filled up). The next process, with
// room again, must make and use a new key: the failed one left no file
// behind, where it had left a cut one that every later start refused.
func TestKeyFilesAllOrNothing(t *testing.T) {
	if dir := os.Getenv("TICKETSUM_AUDIT_KEYFILE_HELPER"); dir != "" {
		// The child: writes past 10 bytes fail with EFBIG (Go ignores SIGXFSZ).
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 10, Max: 10}); err != nil {
			t.Fatal(err)
		}
		w, _ := NewLocalKeyWrapper(filepath.Join(dir, "spool.key"))
		if _, _, _, err := w.GenerateDataKey(context.Background()); err == nil {
			t.Fatal("a key file written past the file size limit: no error")
		}
		if _, err := loadOrCreateSigningKey(filepath.Join(dir, "audit.key")); err == nil {
			t.Fatal("a signing key written past the file size limit: no error")
		}
		return
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeyFilesAllOrNothing$")
	cmd.Env = append(os.Environ(), "TICKETSUM_AUDIT_KEYFILE_HELPER="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the process that cannot write: %v\n%s", err, out)
	}
	w, _ := NewLocalKeyWrapper(filepath.Join(dir, "spool.key"))
	if _, _, _, err := w.GenerateDataKey(context.Background()); err != nil {
		t.Errorf("the next process's data key: %v; want a new key file made", err)
	}
	if _, err := loadOrCreateSigningKey(filepath.Join(dir, "audit.key")); err != nil {
		t.Errorf("the next process's signing key: %v; want a new key made", err)
	}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("%s left behind", e.Name())
		}
	}
}

// TestEmptyKeyFileNamesTheFix: a key file an older version left empty is
// refused with what to do.
func TestEmptyKeyFileNamesTheFix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"log.key", "audit.key"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := NewLocalKeyWrapper(filepath.Join(dir, "log.key"))
	_, _, _, err := w.GenerateDataKey(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is empty") || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("empty log key: %v; want it named empty, with the fix", err)
	}
	if _, err := loadOrCreateSigningKey(filepath.Join(dir, "audit.key")); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("empty signing key: %v; want it named empty, with the fix", err)
	}
}
