package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCommands: an admin command signs what it appended before it
// exits, so the trail verifies; deleting the digests makes verify exit 1
// as unproven; a pinned key survives a rotation once the pin follows it,
// and a replaced key file is refused. Every file the run leaves in the
// data directory is private to the owner.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := tempConfig(t)
	dir := filepath.Dir(cfg)
	const model = "bedrock:amazon.nova-lite-v1:0"
	if r := run(t, ctx, "", "models", "approve", "--config", cfg, "--as", "alice", model); r.code != exitOK {
		t.Fatalf("approve: exit %d: %s", r.code, r.stderr)
	}
	r := run(t, ctx, "", "audit", "verify", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "OK:") || !strings.Contains(r.stdout, "0 records not yet under a digest") {
		t.Fatalf("verify after an admin command: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	assertPrivateTree(t, dir)

	r = run(t, ctx, "", "audit", "key", "--config", cfg)
	fp := strings.TrimSpace(r.stdout)
	if r.code != exitOK || !strings.HasPrefix(fp, "sha256:") {
		t.Fatalf("audit key: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	pinned := writePin(t, cfg, fp)
	if r = run(t, ctx, "", "audit", "verify", "--config", pinned); r.code != exitOK || !strings.Contains(r.stdout, "(pinned)") {
		t.Fatalf("verify pinned: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, ctx, "", "audit", "rotate-key", "--config", pinned, "--as", "alice")
	if r.code != exitOK || !strings.Contains(r.stdout, "signing_key_fingerprint: sha256:") {
		t.Fatalf("rotate-key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	newFP := r.stdout[strings.LastIndex(r.stdout, "sha256:"):]
	newFP = newFP[:strings.IndexAny(newFP, " \n")]
	if r = run(t, ctx, "", "models", "revoke", "--config", pinned, model); r.code == exitOK || !strings.Contains(r.stderr, "signing_key_fingerprint") {
		t.Fatalf("a command with the old pin after the rotation: exit %d %s", r.code, r.stderr)
	}
	repinned := writePin(t, cfg, newFP)
	if r = run(t, ctx, "", "models", "revoke", "--config", repinned, "--as", "alice", model); r.code != exitOK {
		t.Fatalf("revoke with the new pin: exit %d %s", r.code, r.stderr)
	}
	if r = run(t, ctx, "", "audit", "verify", "--config", repinned); r.code != exitOK {
		t.Fatalf("verify across the rotation: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_digests`); err != nil {
		t.Fatal(err)
	}
	r = run(t, ctx, "", "audit", "verify", "--config", repinned)
	if r.code != exitFailure || !strings.Contains(r.stdout, "INTEGRITY UNPROVEN") {
		t.Fatalf("verify without digests: exit %d, want %d\n%s%s", r.code, exitFailure, r.stdout, r.stderr)
	}
}

// writePin writes a copy of the config at cfg with the signing key pinned.
func writePin(t *testing.T, cfg, fp string) string {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pinned.yaml")
	body := string(b) + "governance:\n  signing_key_fingerprint: " + fp + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertPrivateTree checks that the data directory and every directory in
// it are 0700 and every file 0600 (the config written by the test aside).
func assertPrivateTree(t *testing.T, dir string) {
	t.Helper()
	var files int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() == "ticketsum.yaml" {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 { // the store, the signing key and its .pub
		t.Fatalf("only %d files in %s: the check proves little", files, dir)
	}
}
