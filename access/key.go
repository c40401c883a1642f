package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// KeyPrefix starts every ticketsum API key.
const KeyPrefix = "tks_"

// Key is the stored form of an API key: never the key itself, only its
// prefix and the SHA-256 hash of the whole key.
type Key struct {
	// Prefix is the 8-character public identifier of the key, shown in
	// lists and logs.
	Prefix    string `json:"prefix"`
	Principal string `json:"principal"`
	// Hash is the hex SHA-256 of the full key string.
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the key stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// RevokedAt is when the key was revoked; zero while it is valid.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Scopes are what the key may do (see ScopeSummarize and the others).
	// Default [summarize].
	Scopes []string `json:"scopes"`
}

// Status returns "active", "expired" or "revoked" at time now.
func (k *Key) Status(now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return "active"
}

var prefixEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRawKey returns a fresh key "tks_<prefix>_<secret>" with its prefix:
// 5 random bytes give the 8-character prefix, 32 random bytes the secret.
func newRawKey() (raw, prefix string, err error) {
	var p [5]byte
	var s [32]byte
	if _, err := rand.Read(p[:]); err != nil {
		return "", "", err
	}
	if _, err := rand.Read(s[:]); err != nil {
		return "", "", err
	}
	prefix = prefixEncoding.EncodeToString(p[:])
	return KeyPrefix + prefix + "_" + base64.RawURLEncoding.EncodeToString(s[:]), prefix, nil
}

// parseRawKey splits a raw key into its prefix, or reports that it is not
// shaped like a ticketsum key.
func parseRawKey(raw string) (prefix string, ok bool) {
	rest, found := strings.CutPrefix(raw, KeyPrefix)
	if !found {
		return "", false
	}
	prefix, secret, found := strings.Cut(rest, "_")
	if !found || len(prefix) != 8 || len(secret) != 43 {
		return "", false
	}
	if _, err := prefixEncoding.DecodeString(prefix); err != nil {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", false
	}
	return prefix, true
}

// hashKey returns the hex SHA-256 of a raw key.
func hashKey(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
