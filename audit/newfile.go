package audit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// createNewFile writes data to path, which must not exist, mode 0600, all
// or nothing: the data goes to a temporary file beside it, synced, which is
// then linked to path (failing with fs.ErrExist when another process
// created path first) and removed. A write that fails (a full disk, a file
// size limit) or a process killed meanwhile leaves no file at path: before,
// a key file created on a full disk stayed empty, and every later start
// refused it ("does not hold a base64 32-byte key") once the disk had room
// again (TestKeyFilesAllOrNothing).
func createNewFile(path string, data []byte) error {
	var suffix [8]byte
	rand.Read(suffix[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(suffix[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}
