package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Digest is a signed statement that the chain held Count records ending in
// the record LastSeq with hash LastHash. Digests chain too: each holds the
// hash of the one before. An attacker who rewrites the trail, or cuts its
// tail, cannot make the signed digests agree without the signing key.
type Digest struct {
	N              int64     `json:"n"`
	Time           time.Time `json:"time"`
	LastSeq        int64     `json:"last_seq"`
	LastHash       string    `json:"last_hash"`
	Count          int64     `json:"count"`
	PrevDigestHash string    `json:"prev_digest_hash"`
	PublicKey      string    `json:"public_key"` // hex Ed25519 public key
	Signature      string    `json:"signature"`  // hex Ed25519 signature of Message()
}

// Message returns the signed bytes.
func (d *Digest) Message() []byte {
	b, _ := json.Marshal(struct {
		N              int64  `json:"n"`
		Time           int64  `json:"t"`
		LastSeq        int64  `json:"s"`
		LastHash       string `json:"h"`
		Count          int64  `json:"c"`
		PrevDigestHash string `json:"p"`
		PublicKey      string `json:"k"`
	}{d.N, d.Time.UnixMicro(), d.LastSeq, d.LastHash, d.Count, d.PrevDigestHash, d.PublicKey})
	return append([]byte("ticketsum-audit-digest-v1\n"), b...)
}

// Hash returns the digest's own hash, which the next digest holds.
func (d *Digest) Hash() string {
	sum := sha256.Sum256(append(d.Message(), d.Signature...))
	return hex.EncodeToString(sum[:])
}

func digestSeq(d *Digest) int64 {
	if d == nil {
		return 0
	}
	return d.LastSeq
}

const digestCols = `n, at, last_seq, last_hash, record_count, prev_digest_hash, public_key, signature`

func scanDigest(sc interface{ Scan(...any) error }) (*Digest, error) {
	var d Digest
	var at int64
	if err := sc.Scan(&d.N, &at, &d.LastSeq, &d.LastHash, &d.Count, &d.PrevDigestHash, &d.PublicKey, &d.Signature); err != nil {
		return nil, err
	}
	d.Time = time.UnixMicro(at).UTC()
	return &d, nil
}

// lastDigest returns the newest digest, or nil when there is none.
func (t *Trail) lastDigest(ctx context.Context) (*Digest, error) {
	d, err := scanDigest(t.cfg.DB.QueryRowContext(ctx, `SELECT `+digestCols+` FROM audit_digests ORDER BY n DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// Digests returns every digest in order.
func (t *Trail) Digests(ctx context.Context) ([]*Digest, error) {
	rows, err := t.cfg.DB.QueryContext(ctx, `SELECT `+digestCols+` FROM audit_digests ORDER BY n`)
	if err != nil {
		return nil, fmt.Errorf("read audit digests: %w", err)
	}
	defer rows.Close()
	var out []*Digest
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("read audit digests: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// WriteDigest signs the current end of the chain. It returns nil, nil when
// no record was added since the last digest.
func (t *Trail) WriteDigest(ctx context.Context) (*Digest, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.writeDigestLocked(ctx)
}

func (t *Trail) writeDigestLocked(ctx context.Context) (*Digest, error) {
	prev, err := t.lastDigest(ctx)
	if err != nil {
		return nil, fmt.Errorf("read last audit digest: %w", err)
	}
	var seq int64
	var hash string
	err = t.cfg.DB.QueryRowContext(ctx, `SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && prev != nil && prev.LastSeq == seq) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read end of audit trail: %w", err)
	}
	d := &Digest{N: 1, Time: t.cfg.Clock.Now().UTC().Truncate(time.Microsecond), LastSeq: seq, LastHash: hash,
		Count: seq, PrevDigestHash: GenesisHash, PublicKey: hex.EncodeToString(t.pub)}
	if prev != nil {
		d.N, d.PrevDigestHash = prev.N+1, prev.Hash()
	}
	d.Signature = hex.EncodeToString(ed25519.Sign(t.key, d.Message()))
	_, err = t.cfg.DB.ExecContext(ctx, t.cfg.Dialect.Rebind(`INSERT INTO audit_digests (`+digestCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		d.N, d.Time.UnixMicro(), d.LastSeq, d.LastHash, d.Count, d.PrevDigestHash, d.PublicKey, d.Signature)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "store audit digest: %w", err)
	}
	t.lastDigestSeq, t.digestSeqKnown = d.LastSeq, true
	return d, nil
}

// loadOrCreateSigningKey reads an Ed25519 private key (PKCS#8 PEM) from
// path, creating it with mode 0600, and its public key at path+".pub", when
// it does not exist.
func loadOrCreateSigningKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSigningKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "signing key %s has mode %v: it must not be readable by group or others (chmod 600)", path, fi.Mode().Perm())
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
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create signing key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateSigningKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return nil, fmt.Errorf("write public key: %w", err)
	}
	return priv, nil
}
