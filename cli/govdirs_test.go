package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnwritableGovernanceDirs: a directory of the governance settings that
// cannot be created (a file in the way here; a read-only disk in the chaos
// walk) stops the command with exit 1 and a line naming the setting and
// the fix, not "internal error".
func TestUnwritableGovernanceDirs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		setting, value string
		args           []string
	}{
		{"governance.log_dir", "logs", []string{"init"}},
		{"governance.spool_dir", "spool", []string{"init"}},
		{"governance.log_key_file", "keys/log.key", []string{"init"}},
		{"governance.signing_key_file", "keys/audit.key", []string{"models", "approve", "builtin"}},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			blocker := filepath.Join(dir, "a-file")
			if err := os.WriteFile(blocker, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := filepath.Join(dir, "ticketsum.yaml")
			key := strings.TrimPrefix(tc.setting, "governance.")
			body := fmt.Sprintf("data_dir: %s\ngovernance:\n  %s: %s\n", filepath.Join(dir, "data"), key, filepath.Join(blocker, tc.value))
			if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			r := run(t, context.Background(), "", append(tc.args, "--config", cfg)...)
			if r.code != exitFailure || !strings.Contains(r.stderr, tc.setting+": cannot create directory") ||
				!strings.Contains(r.stderr, "or set "+tc.setting) || strings.Contains(r.stderr, "internal error") {
				t.Fatalf("%v with %s under a file: exit %d\n%s; want exit 1 naming the setting and the fix", tc.args, tc.setting, r.code, r.stderr)
			}
		})
	}
}
