package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// MustFilledTrail returns a SQLite trail holding n admin events, with a
// digest after every digestEvery of them.
func MustFilledTrail(t *testing.T, n, digestEvery int) (*audit.Trail, *sql.DB) {
	t.Helper()
	db := dbtest.SQLite(t)
	clock := newClock()
	tr := MustTrail(t, db, audit.SQLite, clock, digestEvery)
	for i := range n {
		clock.Add(1000)
		if err := tr.RecordAdmin(context.Background(), "alice", "key.create", fmt.Sprintf("key%02d", i+1), map[string]string{"principal": "team-a"}); err != nil {
			t.Fatal(err)
		}
	}
	return tr, db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestVerifyCleanTrail(t *testing.T) {
	t.Parallel()
	tr, _ := MustFilledTrail(t, 25, 10)
	if _, err := tr.WriteDigest(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := tr.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != 25 || rep.Digests != 3 || rep.SignedThrough != 25 || rep.Unsigned != 0 {
		t.Errorf("report = %+v, want 25 records, 3 digests, all signed, no problems", rep)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tamper   func(t *testing.T, db *sql.DB, tr *audit.Trail)
		wantKind string
		wantSeq  int64
		wantMsg  string
	}{
		{"edited field", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `UPDATE audit_records SET target = 'key99' WHERE seq = 7`)
		}, audit.ProblemEdited, 7, "record seq 7 was edited"},
		{"edited cost", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `UPDATE audit_records SET cost_micros = 1 WHERE seq = 3`)
		}, audit.ProblemEdited, 3, "record seq 3 was edited"},
		{"edited and re-hashed", func(t *testing.T, db *sql.DB, tr *audit.Trail) {
			evs, _ := tr.Events(context.Background(), 4, 1)
			e := evs[0]
			e.Target = "forged"
			mustExec(t, db, `UPDATE audit_records SET target = ?, hash = ? WHERE seq = 5`, e.Target, e.ComputeHash())
		}, audit.ProblemDeleted, 6, "altered and re-hashed"},
		{"deleted", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `DELETE FROM audit_records WHERE seq = 12`)
		}, audit.ProblemDeleted, 12, "record seq 12 was deleted"},
		{"deleted range", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `DELETE FROM audit_records WHERE seq BETWEEN 4 AND 6`)
		}, audit.ProblemDeleted, 4, "records seq 4 to 6 were deleted"},
		{"deleted tail", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `DELETE FROM audit_records WHERE seq >= 19`)
		}, audit.ProblemDeleted, 20, "deleted from the end"},
		{"inserted", func(t *testing.T, db *sql.DB, tr *audit.Trail) {
			// Make room at seq 9 and forge a record chained to seq 8.
			mustExec(t, db, `UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 9`)
			mustExec(t, db, `UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1009`)
			evs, _ := tr.Events(context.Background(), 7, 1)
			forged := *evs[0]
			forged.Target, forged.PrevHash = "backdoor", evs[0].Hash
			forged.Hash = forged.ComputeHash()
			mustExec(t, db, `INSERT INTO audit_records SELECT 9, at, kind, actor, action, ?, request_id, ticket_id, product_line, use_case, outcome,
				error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_micros, flags, details, ?, ? FROM audit_records WHERE seq = 8`,
				forged.Target, forged.PrevHash, forged.Hash)
		}, audit.ProblemInserted, 9, "record seq 9 was inserted"},
		{"reordered", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `UPDATE audit_records SET seq = -1 WHERE seq = 14`)
			mustExec(t, db, `UPDATE audit_records SET seq = 14 WHERE seq = 15`)
			mustExec(t, db, `UPDATE audit_records SET seq = 15 WHERE seq = -1`)
		}, audit.ProblemReordered, 14, "reordered"},
		{"forged digest", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `UPDATE audit_digests SET record_count = 11 WHERE n = 1`)
		}, audit.ProblemDigest, 10, "signature is not valid"},
		{"deleted digest", func(t *testing.T, db *sql.DB, _ *audit.Trail) {
			mustExec(t, db, `DELETE FROM audit_digests WHERE n = 1`)
		}, audit.ProblemDigest, 20, "digests were deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, db := MustFilledTrail(t, 20, 10)
			tt.tamper(t, db, tr)
			rep, err := tr.Verify(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				t.Logf("%s at seq %d: %s", p.Kind, p.Seq, p.Message)
			}
			if rep.OK() {
				t.Fatalf("Verify found nothing after %s", tt.name)
			}
			p := rep.Problems[0]
			if p.Kind != tt.wantKind || p.Seq != tt.wantSeq || !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("first problem = %+v, want %s at seq %d with %q (all: %+v)", p, tt.wantKind, tt.wantSeq, tt.wantMsg, rep.Problems)
			}
		})
	}
}

func TestVerifyCatchesRewrittenChainWithDigest(t *testing.T) {
	t.Parallel()
	// An attacker who knows the algorithm rewrites record 3 and re-hashes
	// everything after it: the chain is consistent again, but the signed
	// digest still names the old end record.
	tr, db := MustFilledTrail(t, 10, 10)
	evs, _ := tr.Events(context.Background(), 0, 0)
	prev := evs[1].Hash
	for _, e := range evs[2:] {
		if e.Seq == 3 {
			e.Target = "rewritten"
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		mustExec(t, db, `UPDATE audit_records SET target = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Target, e.PrevHash, e.Hash, e.Seq)
	}
	rep, err := tr.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Problems[0].Kind != audit.ProblemDeleted || !strings.Contains(rep.Problems[0].Message, "no longer on the chain") {
		t.Errorf("report = %+v, want the digest to expose the rewrite", rep)
	}
}

func runConcurrentAppends(t *testing.T, tr *audit.Trail) {
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tr.RecordAdmin(context.Background(), "op", "model.approve", fmt.Sprint("m", i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	rep, err := tr.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != 40 || rep.Digests != 4 {
		t.Errorf("report = %+v, want 40 records, 4 digests, no problems", rep)
	}
}

func TestConcurrentAppendsSQLite(t *testing.T) {
	t.Parallel()
	runConcurrentAppends(t, MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 10))
}

func TestConcurrentAppendsPostgres(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	// Two Trail values on one database stand for two processes.
	a := MustTrail(t, db, audit.Postgres, newClock(), 10)
	runConcurrentAppends(t, a)
	b, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.Postgres, SigningKey: nil, SigningKeyFile: t.TempDir() + "/other.pem"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RecordAdmin(context.Background(), "op", "model.revoke", "m1", nil); err != nil {
		t.Fatal(err)
	}
	evs, _ := a.Events(context.Background(), 40, 0)
	if len(evs) != 1 || evs[0].PrevHash == "" {
		t.Errorf("second trail appended %+v", evs)
	}
}

func TestMigrateKeepsVersionTable(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	tr := MustTrail(t, db, audit.SQLite, newClock(), 10)
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	dbtest.AssertMigrated(t, db, "audit_schema_migrations")
}
