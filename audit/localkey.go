package audit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ticketsum/ticketsum"
)

// LocalKeyWrapper wraps data keys with a 32-byte key-encryption key kept in
// a local file, created with mode 0600 on first use. The file must not be
// readable by group or others. Whoever can read the file can read the log:
// keep it on the machine that writes the log and give it to operators only.
type LocalKeyWrapper struct {
	path string
	mu   sync.Mutex
	kek  []byte
	id   string
}

var _ KeyWrapper = (*LocalKeyWrapper)(nil)

// NewLocalKeyWrapper returns a wrapper for the key file at path. The file is
// read, or created, on first use.
func NewLocalKeyWrapper(path string) (*LocalKeyWrapper, error) {
	if path == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "local key wrapper: no key file path")
	}
	return &LocalKeyWrapper{path: path}, nil
}

// Path returns the key file's path.
func (l *LocalKeyWrapper) Path() string { return l.path }

// Name returns "local".
func (*LocalKeyWrapper) Name() string { return "local" }

func (l *LocalKeyWrapper) load() ([]byte, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kek != nil {
		return l.kek, l.id, nil
	}
	kek, err := readKeyFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		kek, err = createKeyFile(l.path)
	}
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(kek)
	l.kek, l.id = kek, "local:"+hex.EncodeToString(sum[:8])
	return l.kek, l.id, nil
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "key file %s has mode %v: it must not be readable by group or others (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	if len(b) == 0 {
		return nil, emptyKeyFile(path)
	}
	kek, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(kek) != 32 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "key file %s does not hold a base64 32-byte key", path)
	}
	return kek, nil
}

func createKeyFile(path string) ([]byte, error) {
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	err := createNewFile(path, []byte(base64.StdEncoding.EncodeToString(kek)+"\n"))
	if errors.Is(err, fs.ErrExist) { // another process won the race
		return readKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return kek, nil
}

// emptyKeyFile is the EINVALID error of an empty key file: what a version
// before createNewFile left when it could not write a new key (a full
// disk). No key was ever in it, so nothing was encrypted or signed with it.
func emptyKeyFile(path string) error {
	return ticketsum.Errorf(ticketsum.EINVALID, "key file %s is empty: its creation failed (a full disk?) and no key was ever in it; remove it, and ticketsum makes a new one", path)
}

var localAAD = []byte("ticketsum-audit-data-key")

// GenerateDataKey implements KeyWrapper.
func (l *LocalKeyWrapper) GenerateDataKey(context.Context) ([]byte, []byte, string, error) {
	kek, id, err := l.load()
	if err != nil {
		return nil, nil, "", err
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, nil, "", err
	}
	dek := make([]byte, 32)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(dek); err != nil {
		return nil, nil, "", err
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, "", err
	}
	return dek, aead.Seal(nonce, nonce, dek, localAAD), id, nil
}

// UnwrapDataKey implements KeyWrapper.
func (l *LocalKeyWrapper) UnwrapDataKey(_ context.Context, wrapped []byte, keyID string) ([]byte, error) {
	kek, id, err := l.load()
	if err != nil {
		return nil, err
	}
	if keyID != id {
		return nil, ticketsum.Errorf(ticketsum.EFORBIDDEN, "data key was wrapped by key %s, but the key file holds %s", keyID, id)
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < aead.NonceSize() {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "wrapped data key is too short")
	}
	dek, err := aead.Open(nil, wrapped[:aead.NonceSize()], wrapped[aead.NonceSize():], localAAD)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EFORBIDDEN, "cannot unwrap data key with key %s", id)
	}
	return dek, nil
}
