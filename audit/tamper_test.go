package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// tamperEnv is a trail as a running ticketsum leaves it: 25 admin records a
// minute apart, digests every 10 records and one at Close, the signing key
// in a file and optionally pinned and anchored in S3; then two hours pass
// before an auditor verifies it from a process of its own.
type tamperEnv struct {
	db      *sql.DB
	clock   *fixedClock
	keyFile string
	pin     string
	anchor  audit.Anchor
}

func newTamperEnv(t *testing.T, anchored, pinned bool) *tamperEnv {
	t.Helper()
	env := &tamperEnv{db: dbtest.SQLite(t), clock: newClock(), keyFile: filepath.Join(t.TempDir(), "keys", "audit-signing.key")}
	if anchored {
		a, err := audit.NewS3Anchor(audit.S3AnchorConfig{Client: MustS3(t, "anchor"), Bucket: "anchor"})
		if err != nil {
			t.Fatal(err)
		}
		env.anchor = a
	}
	tr := env.trail(t, "")
	if pinned {
		env.pin = audit.KeyFingerprint(tr.PublicKey())
	}
	env.appendRecords(t, tr, 25)
	env.clock.Add(2 * time.Hour)
	return env
}

// trail opens the trail as a process of its own would, with keyFile.
func (env *tamperEnv) trail(t *testing.T, keyFile string) *audit.Trail {
	t.Helper()
	if keyFile == "" {
		keyFile = env.keyFile
	}
	tr, err := audit.NewTrail(audit.TrailConfig{DB: env.db, Dialect: audit.SQLite, SigningKeyFile: keyFile, PinnedKey: env.pin,
		Anchor: env.anchor, DigestEvery: 10, Clock: env.clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// appendRecords appends n records a minute apart and closes tr (a final
// digest), as every appending process does before it exits.
func (env *tamperEnv) appendRecords(t *testing.T, tr *audit.Trail, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		env.clock.Add(time.Minute)
		if err := tr.RecordAdmin(ctx, "alice", "key.create", fmt.Sprintf("key%02d", i+1), map[string]string{"principal": "team-a"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// verify checks the trail from an auditor's process (NoSigning: verifying
// needs no private key).
func (env *tamperEnv) verify(t *testing.T) *audit.Report {
	t.Helper()
	cfg := audit.TrailConfig{DB: env.db, Dialect: audit.SQLite, PinnedKey: env.pin, Anchor: env.anchor, Clock: env.clock, NoSigning: true}
	if env.pin == "" { // unpinned: the key file is what the auditor trusts
		cfg.NoSigning, cfg.SigningKeyFile = false, env.keyFile
	}
	tr, err := audit.NewTrail(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tr.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (env *tamperEnv) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	mustExec(t, env.db, q, args...)
}

// rehashFrom rewrites the chain from record seq on, changing its target,
// as an attacker who knows the algorithm but not the key can.
func (env *tamperEnv) rehashFrom(t *testing.T, seq int64) {
	t.Helper()
	evs, err := env.trail(t, "").Events(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	prev := audit.GenesisHash
	for _, e := range evs {
		if e.Seq == seq {
			e.Target = "rewritten"
		}
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = e.ComputeHash()
			env.exec(t, `UPDATE audit_records SET target = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Target, e.PrevHash, e.Hash, e.Seq)
		}
		prev = e.Hash
	}
}

// TestTamperingCases runs every tampering case of the outside test
// campaign (issue 12): each must make Verify report failed or unproven,
// never OK. The cases only an external anchor can catch (the attacker
// deletes the newest records together with the digests that cover them,
// or everything) run with the S3 anchor configured; the key replacement
// that re-signs every digest runs with the key pinned.
func TestTamperingCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		anchored, pinned bool
		tamper           func(t *testing.T, env *tamperEnv)
		wantStatus       string
		wantMsg          string
	}{
		{name: "edit a field", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_records SET target = 'key99' WHERE seq = 7`)
		}, wantStatus: audit.StatusFailed, wantMsg: "record seq 7 was edited"},
		{name: "edit the cost", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_records SET cost_micros = 1 WHERE seq = 3`)
		}, wantStatus: audit.StatusFailed, wantMsg: "record seq 3 was edited"},
		{name: "edit the time", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_records SET at = at - 86400000000 WHERE seq = 12`)
		}, wantStatus: audit.StatusFailed, wantMsg: "record seq 12 was edited"},
		{name: "edit one record and re-hash it", tamper: func(t *testing.T, env *tamperEnv) {
			evs, _ := env.trail(t, "").Events(context.Background(), 4, 1)
			e := evs[0]
			e.Target = "forged"
			env.exec(t, `UPDATE audit_records SET target = ?, hash = ? WHERE seq = 5`, e.Target, e.ComputeHash())
		}, wantStatus: audit.StatusFailed, wantMsg: "altered and re-hashed"},
		{name: "delete one record", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records WHERE seq = 12`)
		}, wantStatus: audit.StatusFailed, wantMsg: "record seq 12 was deleted"},
		{name: "delete a range", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records WHERE seq BETWEEN 4 AND 6`)
		}, wantStatus: audit.StatusFailed, wantMsg: "records seq 4 to 6 were deleted"},
		{name: "delete the first record", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records WHERE seq = 1`)
		}, wantStatus: audit.StatusFailed, wantMsg: "first record of the trail is missing"},
		{name: "insert a forged record", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 9`)
			env.exec(t, `UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1009`)
			evs, _ := env.trail(t, "").Events(context.Background(), 7, 1)
			forged := *evs[0]
			forged.Target, forged.PrevHash = "backdoor", evs[0].Hash
			forged.Hash = forged.ComputeHash()
			env.exec(t, `INSERT INTO audit_records SELECT 9, at, kind, actor, action, ?, request_id, ticket_id, product_line, use_case, outcome,
				error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_micros, flags, details, ?, ? FROM audit_records WHERE seq = 8`,
				forged.Target, forged.PrevHash, forged.Hash)
		}, wantStatus: audit.StatusFailed, wantMsg: "record seq 9 was inserted"},
		{name: "duplicate a record", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `INSERT INTO audit_records SELECT 26, at, kind, actor, action, target, request_id, ticket_id, product_line, use_case, outcome,
				error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_micros, flags, details, prev_hash, hash FROM audit_records WHERE seq = 5`)
		}, wantStatus: audit.StatusFailed, wantMsg: "inserted"},
		{name: "reorder two records", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_records SET seq = -1 WHERE seq = 14`)
			env.exec(t, `UPDATE audit_records SET seq = 14 WHERE seq = 15`)
			env.exec(t, `UPDATE audit_records SET seq = 15 WHERE seq = -1`)
		}, wantStatus: audit.StatusFailed, wantMsg: "reordered"},
		{name: "truncate the tail below the last digest", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records WHERE seq >= 23`)
		}, wantStatus: audit.StatusFailed, wantMsg: "deleted from the end"},
		{name: "rewrite a record and re-hash the chain after it", tamper: func(t *testing.T, env *tamperEnv) {
			env.rehashFrom(t, 13)
		}, wantStatus: audit.StatusFailed, wantMsg: "no longer on the chain"},
		{name: "rewrite, re-hash and delete every digest", tamper: func(t *testing.T, env *tamperEnv) {
			env.rehashFrom(t, 13)
			env.exec(t, `DELETE FROM audit_digests`)
		}, wantStatus: audit.StatusUnproven, wantMsg: "25 records and no digest"},
		{name: "forge a digest field", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_digests SET record_count = 11 WHERE n = 1`)
		}, wantStatus: audit.StatusFailed, wantMsg: "signature is not valid"},
		{name: "delete a middle digest", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_digests WHERE n = 2`)
		}, wantStatus: audit.StatusFailed, wantMsg: "digests were deleted"},
		{name: "delete the last digest", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_digests WHERE n = 3`)
		}, wantStatus: audit.StatusUnproven, wantMsg: "older than the digest interval"},
		{name: "delete every digest", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_digests`)
		}, wantStatus: audit.StatusUnproven, wantMsg: "no digest"},
		{name: "reorder digests", tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `UPDATE audit_digests SET n = -1 WHERE n = 1`)
			env.exec(t, `UPDATE audit_digests SET n = 1 WHERE n = 2`)
			env.exec(t, `UPDATE audit_digests SET n = 2 WHERE n = -1`)
		}, wantStatus: audit.StatusFailed, wantMsg: "digest"},
		{name: "replace the key file and sign on", tamper: func(t *testing.T, env *tamperEnv) {
			// The key file is replaced and new records are signed with
			// the new key (ticketsum itself refuses to sign with a key
			// the chain does not name, so the digest is forged directly).
			if err := os.Remove(env.keyFile); err != nil {
				t.Fatal(err)
			}
			os.Remove(env.keyFile + ".pub")
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			forgeDigestAfter(t, env, key)
		}, wantStatus: audit.StatusFailed, wantMsg: "changed without a signed rotation record"},
		{name: "replace the key and re-sign every digest", pinned: true, tamper: func(t *testing.T, env *tamperEnv) {
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			env.exec(t, `DELETE FROM audit_digests`)
			forger, err := audit.NewTrail(audit.TrailConfig{DB: env.db, Dialect: audit.SQLite, SigningKey: key, Clock: env.clock})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := forger.WriteDigest(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: audit.StatusFailed, wantMsg: "the signing key was replaced"},
		{name: "truncate the tail with the digests that cover it", anchored: true, tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records WHERE seq > 20`)
			env.exec(t, `DELETE FROM audit_digests WHERE n = 3`)
		}, wantStatus: audit.StatusFailed, wantMsg: "is in the external anchor but not in the trail"},
		{name: "wipe every record and digest", anchored: true, tamper: func(t *testing.T, env *tamperEnv) {
			env.exec(t, `DELETE FROM audit_records`)
			env.exec(t, `DELETE FROM audit_digests`)
		}, wantStatus: audit.StatusFailed, wantMsg: "is in the external anchor but not in the trail"},
		{name: "delete the last digest and verify at once", anchored: true, tamper: func(t *testing.T, env *tamperEnv) {
			env.clock.Add(-2 * time.Hour) // the tail is fresh: only the anchor knows
			env.exec(t, `DELETE FROM audit_digests WHERE n = 3`)
		}, wantStatus: audit.StatusFailed, wantMsg: "digest 3 (records seq 21 to 25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTamperEnv(t, tt.anchored, tt.pinned)
			if rep := env.verify(t); !rep.OK() {
				t.Fatalf("untouched trail does not verify: %+v", rep)
			}
			tt.tamper(t, env)
			rep := env.verify(t)
			for _, p := range rep.Problems {
				t.Logf("%s at seq %d: %s", p.Kind, p.Seq, p.Message)
			}
			if rep.OK() {
				t.Fatalf("Verify reports OK after %q: %+v", tt.name, rep)
			}
			all := rep.Unproven
			for _, p := range rep.Problems {
				all += "\n" + p.Message
			}
			if rep.Status != tt.wantStatus || !strings.Contains(all, tt.wantMsg) {
				t.Errorf("status %s, findings:\n%s\nwant status %s and %q", rep.Status, all, tt.wantStatus, tt.wantMsg)
			}
		})
	}
}

// forgeDigestAfter appends a digest signed by key after the trail's last
// one, as a process holding a replaced key file would have to.
func forgeDigestAfter(t *testing.T, env *tamperEnv, key ed25519.PrivateKey) {
	t.Helper()
	tr := env.trail(t, "")
	ds, err := tr.Digests(context.Background())
	if err != nil || len(ds) == 0 {
		t.Fatal(err, ds)
	}
	last := ds[len(ds)-1]
	if err := tr.RecordAdmin(context.Background(), "mallory", "model.approve", "any", nil); err != nil {
		t.Fatal(err)
	}
	evs, _ := tr.Events(context.Background(), last.LastSeq, 0)
	e := evs[len(evs)-1]
	d := &audit.Digest{Version: 2, N: last.N + 1, Time: env.clock.Now().UTC(), FirstSeq: last.LastSeq + 1, LastSeq: e.Seq,
		LastHash: e.Hash, Count: e.Seq, PrevDigestHash: last.Hash(), PublicKey: fmt.Sprintf("%x", key.Public())}
	d.Signature = fmt.Sprintf("%x", ed25519.Sign(key, d.Message()))
	env.exec(t, `INSERT INTO audit_digests (n, at, last_seq, last_hash, record_count, prev_digest_hash, public_key, signature, version, first_seq, next_public_key, next_signature)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2, ?, '', '')`, d.N, d.Time.UnixMicro(), d.LastSeq, d.LastHash, d.Count, d.PrevDigestHash, d.PublicKey, d.Signature, d.FirstSeq)
}
