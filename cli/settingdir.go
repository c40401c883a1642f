package cli

import (
	"os"

	"github.com/ticketsum/ticketsum"
)

// settingDir creates dir, private to the owner (0700), when it is missing:
// a directory that setting names (or the data directory gives it by
// default). One that cannot be made (a read-only disk, a file in the way)
// is a setting to fix, named with the fix, exit 1: before, every command
// that writes the trail or the invocation log stopped with "internal
// error" and a cause that named neither the setting nor what to do
// (TestUnwritableGovernanceDirs).
func (w *wiring) settingDir(setting, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID,
			"%s: cannot create directory %s (%v): make it a directory this user can write, or set %s (by default under the data directory, --data-dir) to one",
			setting, dir, unwrapPathError(err), setting), ticketsum.ClassConfig)
	}
	return nil
}
