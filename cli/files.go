package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ticketsum/ticketsum"
)

// openInput opens FILE, or stdin for "" and "-". It returns the name used
// in messages. Without a FILE on a terminal it says what it wants instead
// of waiting silently.
func openInput(e *env, path string) (io.Reader, string, func(), error) {
	if path == "" && isTerminal(e.stdin) {
		return nil, "", nil, usagef("want a ticket FILE, or - to read tickets typed or pasted on stdin")
	}
	if path == "" || path == "-" {
		return e.stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", path, unwrapPathError(err))
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		return nil, "", nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: is a directory, want a ticket file", path)
	}
	return f, path, func() { f.Close() }, nil
}

// writeFileWith writes path through write atomically: into a temporary
// file beside it, private to the owner (0600: reports and exports may hold
// ticket text), renamed over path only when write succeeds, so that no
// half-written file is ever left.
func writeFileWith(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", path, unwrapPathError(err))
	}
	tmp := f.Name()
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", path, unwrapPathError(err))
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// privateFiles makes the SQLite store's files private to the owner (0600)
// before SQLite opens them: the first path is created empty when missing
// (SQLite gives its -wal and -shm files the store's mode), and any that
// exist with a wider mode, from an earlier version, are narrowed.
func privateFiles(paths ...string) error {
	for i, p := range paths {
		if i == 0 {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err == nil {
				f.Close()
				continue
			}
			if !errors.Is(err, os.ErrExist) {
				return ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", p, unwrapPathError(err))
			}
		}
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil && fi.Mode().Perm()&0o077 != 0 {
			err = os.Chmod(p, 0o600)
		}
		if err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", p, unwrapPathError(err))
		}
	}
	return nil
}
