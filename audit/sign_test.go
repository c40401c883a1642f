package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

func TestRotateKeyVerifiesAndOldKeyStopsSigning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	clock := newClock()
	keyFile := filepath.Join(t.TempDir(), "keys", "audit-signing.key")
	open := func(pin string) (*audit.Trail, error) {
		return audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: keyFile, PinnedKey: pin, Clock: clock})
	}
	a, err := open("")
	if err != nil {
		t.Fatal(err)
	}
	a.Migrate(ctx)
	other, _ := open("") // a second process with the same (old) key file
	oldFP := audit.KeyFingerprint(a.PublicKey())
	for i := range 5 {
		a.RecordAdmin(ctx, "alice", "model.approve", fmt.Sprint("m", i), nil)
	}
	var out bytes.Buffer
	if err := audit.CmdAuditRotateKey(ctx, a, keyFile, "alice", &out); err != nil {
		t.Fatal(err)
	}
	newFP := audit.KeyFingerprint(a.PublicKey())
	if newFP == oldFP || !strings.Contains(out.String(), "signing_key_fingerprint: "+newFP) {
		t.Fatalf("rotate-key printed %q; old %s new %s", out.String(), oldFP, newFP)
	}
	a.RecordAdmin(ctx, "alice", "model.revoke", "m1", nil)
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The process that still holds the old key must not sign on.
	other.RecordAdmin(ctx, "bob", "model.approve", "m9", nil)
	if _, err := other.WriteDigest(ctx); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "rotated") {
		t.Errorf("old-key signer: err = %v, want EINVALID naming the rotation", err)
	}
	// Restarted with the new key file and the new pin, it signs and the
	// trail verifies across the rotation.
	restarted, err := open(newFP)
	if err != nil {
		t.Fatal(err)
	}
	if err := restarted.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := restarted.Verify(ctx)
	if err != nil || !rep.OK() || rep.KeyFingerprint != newFP || !rep.Pinned || rep.SignedThrough != 8 {
		t.Fatalf("verify after rotation = %+v, %v", rep, err)
	}
	// The old pin no longer matches the key file.
	if _, err := open(oldFP); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "governance.signing_key_fingerprint") {
		t.Errorf("old pin with the new key file: err = %v, want EINVALID naming the config key", err)
	}
	evs, _ := restarted.Events(ctx, 5, 1)
	if len(evs) != 1 || evs[0].Action != "audit.rotate-key" || evs[0].Actor != "alice" || evs[0].Target != newFP {
		t.Errorf("rotation record = %+v, want audit.rotate-key by alice naming the new key", evs)
	}
	if _, err := os.Stat(keyFile + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rotation left %s.new behind", keyFile)
	}
}

func TestPinnedKeyRejectsReplacedKeyFile(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	keyFile := filepath.Join(t.TempDir(), "audit-signing.key")
	first, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	pin := audit.KeyFingerprint(first.PublicKey())
	os.Remove(keyFile) // replaced: the next start creates another key
	_, err = audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: keyFile, PinnedKey: pin})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "was replaced") {
		t.Errorf("err = %v, want EINVALID saying the key file was replaced", err)
	}
	_, err = audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, NoSigning: true, PinnedKey: "sha256:abc"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("malformed pin: err = %v, want EINVALID", err)
	}
}

// runSigners has two trails (two processes) append and sign at once and
// checks that no digest was lost and the chain verifies.
func runSigners(t *testing.T, a, b *audit.Trail) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := a
			if i%2 == 1 {
				tr = b
			}
			if err := tr.RecordAdmin(ctx, "op", "model.approve", fmt.Sprint("m", i), nil); err != nil {
				t.Error(err)
			}
			if i%3 == 0 {
				if _, err := tr.WriteDigest(ctx); err != nil {
					t.Errorf("digest lost: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	for _, tr := range []*audit.Trail{a, b} {
		if err := tr.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := a.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != 60 || rep.SignedThrough != 60 || rep.Digests < 1 {
		t.Errorf("report = %+v, want 60 records, all signed", rep)
	}
}

// mustSignerTrail opens the database at dsn on a pool of its own, as
// another process would, and a trail on it signing with key.
func mustSignerTrail(t *testing.T, driver, dsn string, d audit.Dialect, key ed25519.PrivateKey) *audit.Trail {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(dbtest.MaxConns)
	t.Cleanup(func() { db.Close() })
	tr, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: d, SigningKey: key, DigestEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTwoSignersPostgres(t *testing.T) {
	t.Parallel()
	dsn, _ := dbtest.PostgresSchema(t)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	runSigners(t, mustSignerTrail(t, "pgx", dsn, audit.Postgres, key), mustSignerTrail(t, "pgx", dsn, audit.Postgres, key))
}

func TestTwoSignersSQLite(t *testing.T) {
	t.Parallel()
	_, path := dbtest.SQLiteFile(t)
	dsn := "file:" + path + "?" + dbtest.SQLitePragmas
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	runSigners(t, mustSignerTrail(t, "sqlite", dsn, audit.SQLite, key), mustSignerTrail(t, "sqlite", dsn, audit.SQLite, key))
}

func TestAppenderWithoutKeyHandsOffToSigner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	clock := newClock()
	lambda, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, NoSigning: true, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	lambda.Migrate(ctx)
	for i := range 3 {
		lambda.AppendInvocation(ctx, &audit.InvocationRecord{ModelID: "m", Outcome: "success", Identity: audit.Identity{Principal: fmt.Sprint("p", i)}})
	}
	if err := lambda.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ok, err := audit.CmdAuditVerify(ctx, lambda, &out, false)
	if err != nil || ok || !strings.Contains(out.String(), "INTEGRITY UNPROVEN: 3 records and no digest") {
		t.Fatalf("verify before signing: ok=%v err=%v\n%s", ok, err, out.String())
	}
	// A signer starting up signs what the appender left behind.
	signer := MustTrail(t, db, audit.SQLite, clock, 1000)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- signer.Run(runCtx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, _ := signer.Digests(ctx)
		if len(ds) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if ok, err := audit.CmdAuditVerify(ctx, signer, &out, false); err != nil || !ok {
		t.Fatalf("verify after the signer ran: ok=%v err=%v\n%s", ok, err, out.String())
	}
	if _, err := lambda.WriteDigest(ctx); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("NoSigning WriteDigest: err = %v, want EINVALID", err)
	}
}

// flakyAnchor is a recording fake Anchor whose Put fails while down.
type flakyAnchor struct {
	mu   sync.Mutex
	down bool
	ds   map[int64]*audit.Digest
}

func (a *flakyAnchor) Put(_ context.Context, d *audit.Digest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.down {
		return errors.New("anchor unreachable")
	}
	if a.ds == nil {
		a.ds = map[int64]*audit.Digest{}
	}
	a.ds[d.N] = d
	return nil
}

func (a *flakyAnchor) LastN(context.Context) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var n int64
	for k := range a.ds {
		n = max(n, k)
	}
	return n, nil
}

func (a *flakyAnchor) Digests(context.Context) ([]*audit.Digest, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*audit.Digest, 0, len(a.ds))
	for n := int64(1); len(out) < len(a.ds); n++ {
		if d, ok := a.ds[n]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func TestAnchorCatchesUpAfterOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	anchor := &flakyAnchor{down: true}
	db := dbtest.SQLite(t)
	tr, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: filepath.Join(t.TempDir(), "k"), DigestEvery: 4, Anchor: anchor, Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	tr.Migrate(ctx)
	for i := range 9 {
		tr.RecordAdmin(ctx, "op", "key.create", fmt.Sprint(i), nil)
	}
	rep, _ := tr.Verify(ctx)
	if !rep.OK() || rep.Anchored == nil || *rep.Anchored != 0 || len(rep.Notes) == 0 {
		t.Fatalf("during the outage = %+v, want OK with a note on unanchored digests", rep)
	}
	anchor.mu.Lock()
	anchor.down = false
	anchor.mu.Unlock()
	if err := tr.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rep, _ = tr.Verify(ctx)
	if !rep.OK() || rep.Anchored == nil || *rep.Anchored != 3 || rep.Digests != 3 {
		t.Errorf("after Close = %+v, want 3 digests, all anchored", rep)
	}
}

// TestVersion1DigestsStillVerify: digests written before ranges and
// rotations existed keep verifying after the upgrade.
func TestVersion1DigestsStillVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	tr, _ := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKey: key, Clock: newClock()})
	tr.Migrate(ctx)
	for i := range 3 {
		tr.RecordAdmin(ctx, "op", "key.create", fmt.Sprint(i), nil)
	}
	evs, _ := tr.Events(ctx, 0, 0)
	d := &audit.Digest{Version: 1, N: 1, Time: newClock().Now(), LastSeq: 3, LastHash: evs[2].Hash, Count: 3,
		PrevDigestHash: audit.GenesisHash, PublicKey: fmt.Sprintf("%x", key.Public())}
	d.Signature = fmt.Sprintf("%x", ed25519.Sign(key, d.Message()))
	mustExec(t, db, `INSERT INTO audit_digests (n, at, last_seq, last_hash, record_count, prev_digest_hash, public_key, signature)
		VALUES (1, ?, 3, ?, 3, ?, ?, ?)`, d.Time.UnixMicro(), d.LastHash, d.PrevDigestHash, d.PublicKey, d.Signature)
	tr.RecordAdmin(ctx, "op", "key.create", "3", nil)
	if err := tr.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := tr.Verify(ctx)
	if err != nil || !rep.OK() || rep.Digests != 2 || rep.SignedThrough != 4 {
		t.Errorf("report = %+v, %v; want a v1 and a v2 digest, all verified", rep, err)
	}
}
