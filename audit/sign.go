package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum"
)

// WriteDigest signs the current end of the chain and copies the new digest
// (and any earlier one the anchor lacks) to the anchor. It returns nil, nil
// when no record was added since the last digest. One signer at a time
// signs, across processes: an advisory lock on Postgres, the write lock on
// SQLite, so that two signers never race for the same digest number.
// It returns EINVALID with NoSigning, or when the trail's signing was
// rotated to a key this process does not hold.
func (t *Trail) WriteDigest(ctx context.Context) (*Digest, error) {
	d, err := t.sign(ctx, nil)
	if err != nil {
		return nil, err
	}
	if aerr := t.syncAnchor(ctx); aerr != nil {
		t.cfg.Logger.Error("copy audit digest to the anchor; retried at the next digest and at Close", "err", aerr)
	}
	return d, nil
}

// RotateKey hands signing over to next: it writes a rotation digest over
// the current end of the chain, signed by the key in force and by next,
// and signs with next from then on. Save next (and pin its fingerprint in
// governance.signing_key_fingerprint) before other processes sign again:
// they refuse to sign with the old key once the rotation is recorded.
func (t *Trail) RotateKey(ctx context.Context, next ed25519.PrivateKey) (*Digest, error) {
	if len(next) != ed25519.PrivateKeySize {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "rotate audit signing key: the new key is not an Ed25519 private key")
	}
	d, err := t.sign(ctx, next)
	if err != nil {
		return nil, err
	}
	t.keyMu.Lock()
	t.key, t.trust = next, KeyFingerprint(next.Public().(ed25519.PublicKey))
	t.keyMu.Unlock()
	if aerr := t.syncAnchor(ctx); aerr != nil {
		t.cfg.Logger.Error("copy audit digest to the anchor; retried at the next digest and at Close", "err", aerr)
	}
	return d, nil
}

// digestIfDue writes a digest when DigestEvery records were appended since
// the last one known; failures are logged (Run and Close sign again).
func (t *Trail) digestIfDue(last *Event) {
	if t.signingKey() == nil || last.Seq == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.CommitTimeout)
	defer cancel()
	t.stateMu.Lock()
	known, seq := t.digestKnown, t.lastDigestSeq
	t.stateMu.Unlock()
	if !known {
		d, err := lastDigest(ctx, t.cfg.DB)
		if err != nil {
			return
		}
		seq = digestSeq(d)
		t.noteDigest(seq)
	}
	if last.Seq-seq < int64(t.cfg.DigestEvery) {
		return
	}
	if _, err := t.WriteDigest(ctx); err != nil {
		t.cfg.Logger.Error("write audit digest", "err", err)
	}
}

func digestSeq(d *Digest) int64 {
	if d == nil {
		return 0
	}
	return d.LastSeq
}

func (t *Trail) noteDigest(seq int64) {
	t.stateMu.Lock()
	if !t.digestKnown || seq > t.lastDigestSeq {
		t.lastDigestSeq, t.digestKnown = seq, true
	}
	t.stateMu.Unlock()
}

// sign writes the next digest under the signer lock; with next set it is a
// rotation digest, written even when no record was added.
func (t *Trail) sign(ctx context.Context, next ed25519.PrivateKey) (*Digest, error) {
	key := t.signingKey()
	if key == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit trail: this process appends without signing (NoSigning); run `ticketsum audit sign` where the signing key is")
	}
	var d *Digest
	err := t.inSignerTx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = t.signLocked(ctx, tx, key, next)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d != nil {
		t.noteDigest(d.LastSeq)
		t.cfg.Logger.Debug("audit digest signed", "n", d.N, "first_seq", d.FirstSeq, "last_seq", d.LastSeq, "rotation", d.Rotation())
	}
	return d, nil
}

// inSignerTx runs fn in a transaction that holds the signer lock, retrying
// lost races.
func (t *Trail) inSignerTx(ctx context.Context, fn func(*sql.Tx) error) error {
	lock := `DELETE FROM audit_digests WHERE 0 = 1` // takes SQLite's write lock
	if t.cfg.Dialect == Postgres {
		lock = `SELECT pg_advisory_xact_lock(hashtext('ticketsum audit sign ' || coalesce(current_schema(), '')))`
	}
	var err error
	for attempt := range 8 {
		err = func() error {
			tx, err := t.cfg.DB.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
			if err := fn(tx); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err == nil || !contention(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	if err != nil && ticketsum.ErrorCodeOf(err) == ticketsum.EINTERNAL {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "sign audit digest: %w", err)
	}
	return err
}

func (t *Trail) signLocked(ctx context.Context, tx *sql.Tx, key, next ed25519.PrivateKey) (*Digest, error) {
	prev, err := lastDigest(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("read last audit digest: %w", err)
	}
	seq, hash := int64(0), GenesisHash
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read end of audit trail: %w", err)
	}
	if next == nil && (seq == 0 || (prev != nil && prev.LastSeq == seq)) {
		return nil, nil
	}
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	d := &Digest{Version: digestVersion, N: 1, Time: t.cfg.Clock.Now().UTC().Truncate(time.Microsecond), FirstSeq: 1,
		LastSeq: seq, LastHash: hash, Count: seq, PrevDigestHash: GenesisHash, PublicKey: pub}
	if prev != nil {
		if inForce := prev.KeyAfter(); inForce != pub {
			return nil, ticketsum.Errorf(ticketsum.EINVALID,
				"audit trail: digests are now signed by key %s, and this process holds %s: it was rotated (restart with the new key file) or this key file was replaced",
				shortFP(hexKeyFingerprint(inForce)), shortFP(KeyFingerprint(key.Public().(ed25519.PublicKey))))
		}
		d.N, d.PrevDigestHash, d.FirstSeq = prev.N+1, prev.Hash(), prev.LastSeq+1
	}
	if next != nil {
		d.NextPublicKey = hex.EncodeToString(next.Public().(ed25519.PublicKey))
	}
	d.Signature = hex.EncodeToString(ed25519.Sign(key, d.Message()))
	if next != nil {
		d.NextSignature = hex.EncodeToString(ed25519.Sign(next, d.Message()))
	}
	if err := insertDigest(ctx, tx, t.cfg.Dialect, d); err != nil {
		return nil, fmt.Errorf("store audit digest: %w", err)
	}
	return d, nil
}
