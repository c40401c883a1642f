package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// KeyFingerprint returns the fingerprint of an Ed25519 public key,
// "sha256:" and the hex SHA-256 of its 32 bytes: the value to pin in
// TrailConfig.PinnedKey (governance.signing_key_fingerprint).
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// hexKeyFingerprint is KeyFingerprint of a hex-encoded key, or "" when it
// is not one.
func hexKeyFingerprint(hexKey string) string {
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return ""
	}
	return KeyFingerprint(b)
}

// shortFP shortens a fingerprint for messages.
func shortFP(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "..."
	}
	return fp
}

// ValidFingerprint reports whether s has the form of a KeyFingerprint.
func ValidFingerprint(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// loadOrCreateSigningKey reads an Ed25519 private key (PKCS#8 PEM) from
// path, creating it with mode 0600, and its public key at path+".pub"
// (also 0600), when it does not exist.
func loadOrCreateSigningKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSigningKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	return parseSigningKey(path, b)
}

func parseSigningKey(path string, b []byte) (ed25519.PrivateKey, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "signing key %s has mode %v: it must not be readable by group or others (chmod 600)", path, fi.Mode().Perm())
	}
	if len(b) == 0 {
		return nil, emptyKeyFile(path)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "signing key %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "signing key %s: %v", path, err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "signing key %s is not an Ed25519 key", path)
	}
	return ek, nil
}

func createSigningKey(path string) (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := writeSigningKey(path, priv); errors.Is(err, fs.ErrExist) {
		return loadOrCreateSigningKey(path) // another process won the race
	} else if err != nil {
		return nil, err
	}
	return priv, nil
}

// writeSigningKey writes priv to path (which must not exist), mode 0600,
// and its public key to path+".pub", also 0600: every file in the keys
// directory is private; give auditors the fingerprint or a copy.
func writeSigningKey(path string, priv ed25519.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create signing key directory: %w", err)
	}
	if err := createNewFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(priv.Public())
	if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	return nil
}
