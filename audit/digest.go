package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Digest is a signed statement, in the spirit of CloudTrail's digest files,
// that the chain held Count records ending in the record LastSeq with hash
// LastHash, and that this digest covers the records FirstSeq to LastSeq.
// Digests chain too: each signs the hash of the one before it, so that one
// cannot be removed, replaced or reordered without the signing key.
//
// A rotation digest (NextPublicKey set) hands signing over to a new key: it
// is signed by the key in force (Signature) and by the new key
// (NextSignature), so that neither key alone can fake a rotation.
type Digest struct {
	// Version is the format of the signed message: 1 (before ranges and
	// rotations) or 2.
	Version        int       `json:"version"`
	N              int64     `json:"n"`
	Time           time.Time `json:"time"`
	FirstSeq       int64     `json:"first_seq"`
	LastSeq        int64     `json:"last_seq"`
	LastHash       string    `json:"last_hash"`
	Count          int64     `json:"count"`
	PrevDigestHash string    `json:"prev_digest_hash"`
	PublicKey      string    `json:"public_key"` // hex Ed25519 public key that signed it
	Signature      string    `json:"signature"`  // hex Ed25519 signature of Message()
	NextPublicKey  string    `json:"next_public_key,omitempty"`
	NextSignature  string    `json:"next_signature,omitempty"`
}

// digestVersion is the format new digests are written in.
const digestVersion = 2

// Message returns the signed bytes.
func (d *Digest) Message() []byte {
	if d.Version < 2 {
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
	b, _ := json.Marshal(struct {
		N              int64  `json:"n"`
		Time           int64  `json:"t"`
		FirstSeq       int64  `json:"f"`
		LastSeq        int64  `json:"s"`
		LastHash       string `json:"h"`
		Count          int64  `json:"c"`
		PrevDigestHash string `json:"p"`
		PublicKey      string `json:"k"`
		NextPublicKey  string `json:"nk"`
	}{d.N, d.Time.UnixMicro(), d.FirstSeq, d.LastSeq, d.LastHash, d.Count, d.PrevDigestHash, d.PublicKey, d.NextPublicKey})
	return append([]byte("ticketsum-audit-digest-v2\n"), b...)
}

// Hash returns the digest's own hash, which the next digest holds.
func (d *Digest) Hash() string {
	msg := append(d.Message(), d.Signature...)
	sum := sha256.Sum256(append(msg, d.NextSignature...))
	return hex.EncodeToString(sum[:])
}

// Rotation reports whether d hands signing over to a new key.
func (d *Digest) Rotation() bool { return d.NextPublicKey != "" }

// KeyAfter returns the hex public key that signs the digests after d.
func (d *Digest) KeyAfter() string {
	if d.Rotation() {
		return d.NextPublicKey
	}
	return d.PublicKey
}

// checkSignatures reports what is wrong with d's signatures, or "".
func (d *Digest) checkSignatures() string {
	if !validSignature(d.PublicKey, d.Message(), d.Signature) {
		return "signature is not valid: the digest was altered or forged"
	}
	if d.Rotation() && !validSignature(d.NextPublicKey, d.Message(), d.NextSignature) {
		return "key rotation is not signed by the new key: the rotation was forged"
	}
	return ""
}

func validSignature(hexKey string, msg []byte, hexSig string) bool {
	pub, err := hex.DecodeString(hexKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	return err == nil && ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}

const digestCols = `n, at, last_seq, last_hash, record_count, prev_digest_hash, public_key, signature,
	version, first_seq, next_public_key, next_signature`

func scanDigest(sc interface{ Scan(...any) error }) (*Digest, error) {
	var d Digest
	var at int64
	if err := sc.Scan(&d.N, &at, &d.LastSeq, &d.LastHash, &d.Count, &d.PrevDigestHash, &d.PublicKey, &d.Signature,
		&d.Version, &d.FirstSeq, &d.NextPublicKey, &d.NextSignature); err != nil {
		return nil, err
	}
	d.Time = time.UnixMicro(at).UTC()
	return &d, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// lastDigest returns the newest digest, or nil when there is none.
func lastDigest(ctx context.Context, q queryer) (*Digest, error) {
	d, err := scanDigest(q.QueryRowContext(ctx, `SELECT `+digestCols+` FROM audit_digests ORDER BY n DESC LIMIT 1`))
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

// insertDigest stores d.
func insertDigest(ctx context.Context, db execer, dl Dialect, d *Digest) error {
	_, err := db.ExecContext(ctx, dl.Rebind(`INSERT INTO audit_digests (`+digestCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		d.N, d.Time.UnixMicro(), d.LastSeq, d.LastHash, d.Count, d.PrevDigestHash, d.PublicKey, d.Signature,
		d.Version, d.FirstSeq, d.NextPublicKey, d.NextSignature)
	return err
}
