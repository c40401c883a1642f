package webauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// sealer encrypts and authenticates small JSON values for cookies, and
// derives CSRF tokens, from the session key.
type sealer struct {
	aead cipher.AEAD
	mac  []byte // key of CSRF tokens
}

func newSealer(key []byte) (*sealer, error) {
	enc := derive(key, "ticketsum webauth cookie encryption")
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, mac: derive(key, "ticketsum webauth csrf")}, nil
}

// derive returns a 32-byte key for purpose from key.
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// seal returns v as JSON, encrypted with name as associated data (so that a
// value sealed for one cookie does not open as another), base64url.
func (s *sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

var errSealed = errors.New("cookie does not open")

// open reverses seal into v.
func (s *sealer) open(name, text string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errSealed
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(name))
	if err != nil {
		return errSealed
	}
	if json.Unmarshal(plain, v) != nil {
		return errSealed
	}
	return nil
}

// token returns the CSRF token of a session secret and user.
func (s *sealer) token(secret, actor string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(secret))
	m.Write([]byte{0})
	m.Write([]byte(actor))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// randomText returns n random bytes, base64url.
func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
