package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/internal/sqldb"
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
	if err := tr.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := tr.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Group commit writes a digest after the batch that reaches DigestEvery,
	// so 40 concurrent appends may share fewer than 4 digests.
	if !rep.OK() || rep.Records != 40 || rep.Digests < 1 || rep.SignedThrough != 40 {
		t.Errorf("report = %+v, want 40 records, all under digests, no problems", rep)
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

// TestMigrateSQLiteSeqToRowid upgrades a SQLite trail written with the
// portable layout only (seq BIGINT PRIMARY KEY, a separate index): the
// records and digests are kept, the chain verifies, and appends continue
// after the last record.
func TestMigrateSQLiteSeqToRowid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	if _, err := sqldb.Migrate(ctx, db, audit.SQLite, os.DirFS("."), "audit_schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if got := tableSQL(t, db); !strings.Contains(got, "BIGINT PRIMARY KEY") {
		t.Fatalf("before the upgrade audit_records is %s", got)
	}
	clock := newClock()
	old, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: audit.SQLite, SigningKeyFile: filepath.Join(t.TempDir(), "signing.pem"), DigestEvery: 4, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		clock.Add(1000)
		if err := old.RecordAdmin(ctx, "alice", "key.create", fmt.Sprintf("key%02d", i+1), map[string]string{"principal": "team-a"}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := old.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}

	if err := old.Migrate(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if got := tableSQL(t, db); !strings.Contains(got, "seq                INTEGER PRIMARY KEY") {
		t.Errorf("after the upgrade audit_records is %s, want seq INTEGER PRIMARY KEY", got)
	}
	var autoIndexes int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_records' AND name LIKE 'sqlite_autoindex%'`).Scan(&autoIndexes); err != nil {
		t.Fatal(err)
	}
	if autoIndexes != 0 {
		t.Errorf("audit_records keeps %d automatic index(es) after the upgrade, want none (seq is the rowid)", autoIndexes)
	}
	after, err := old.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("%d records after the upgrade, %d before", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.Seq != b.Seq || a.Hash != b.Hash || a.PrevHash != b.PrevHash || a.Target != b.Target || !a.Time.Equal(b.Time) || a.ComputeHash() != a.Hash {
			t.Errorf("record %d changed: %+v -> %+v", i, before[i], after[i])
		}
	}
	for i := range 3 {
		if err := old.RecordAdmin(ctx, "alice", "key.revoke", fmt.Sprintf("key%02d", i+1), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := old.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != 13 || rep.SignedThrough != 13 {
		t.Errorf("report = %+v, want 13 records, all signed, no problems", rep)
	}
	dbtest.AssertMigrated(t, db, "audit_schema_migrations")
	if err := old.Migrate(ctx); err != nil {
		t.Errorf("migrate again: %v", err)
	}
}

func tableSQL(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// counter is a Companion that adds one to a row of its own per staged
// write, failing when fail is set.
type counter struct {
	mu      sync.Mutex
	queued  int
	fail    bool
	results []error
}

func (c *counter) Stage() (func(context.Context, *sql.Tx) error, func(error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queued == 0 {
		return nil, nil
	}
	n, fail := c.queued, c.fail
	c.queued = 0
	return func(ctx context.Context, tx *sql.Tx) error {
			if fail {
				return fmt.Errorf("companion refuses")
			}
			_, err := tx.ExecContext(ctx, `UPDATE counted SET n = n + ?`, n)
			return err
		}, func(err error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.results = append(c.results, err)
			if err != nil {
				c.queued += n
			}
		}
}

// TestCompanionCommitsWithTheRecords: what a companion queued before an
// append commits in the append's transaction; a companion whose write
// fails gets its work back and does not stop the records.
func TestCompanionCommitsWithTheRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLite(t)
	tr := MustTrail(t, db, audit.SQLite, newClock(), 1000)
	mustExec(t, db, `CREATE TABLE counted (n INTEGER NOT NULL)`)
	mustExec(t, db, `INSERT INTO counted (n) VALUES (0)`)
	c := &counter{}
	tr.Attach(c)
	c.queued = 3
	if err := tr.RecordAdmin(ctx, "op", "model.approve", "m1", nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT n FROM counted`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("counted = %d, %v after the append returned; want 3", n, err)
	}
	c.mu.Lock()
	c.queued, c.fail = 2, true
	c.mu.Unlock()
	if err := tr.RecordAdmin(ctx, "op", "model.approve", "m2", nil); err != nil {
		t.Fatalf("append with a failing companion: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.results) != 2 || c.results[0] != nil || c.results[1] == nil || c.queued != 2 {
		t.Errorf("companion results %v, queued %d; want a commit, then a failure with its work handed back", c.results, c.queued)
	}
	rep, err := tr.Verify(ctx)
	if err != nil || rep.Records != 2 {
		t.Errorf("verify: %+v, %v; want both records", rep, err)
	}
}

// TestAppendersTakingTurns appends from two Trail values on one database,
// standing for two processes: each remembers the chain's end its last
// commit left, which the other moves, so each must notice and append after
// the other's records, in turns and concurrently.
func TestAppendersTakingTurns(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		open func(testing.TB) *sql.DB
		d    audit.Dialect
	}{{"sqlite", dbtest.SQLite, audit.SQLite}, {"postgres", dbtest.Postgres, audit.Postgres}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			conn := db.open(t)
			clock := newClock()
			a := MustTrail(t, conn, db.d, clock, 1000)
			b, err := audit.NewTrail(audit.TrailConfig{DB: conn, Dialect: db.d, NoSigning: true, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				for _, tr := range []*audit.Trail{a, b} {
					if err := tr.RecordAdmin(ctx, "op", "model.approve", fmt.Sprint("m", i), nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tr := a
					if i%2 == 1 {
						tr = b
					}
					if err := tr.RecordAdmin(ctx, "op", "model.revoke", fmt.Sprint("m", i), nil); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if err := a.Close(ctx); err != nil {
				t.Fatal(err)
			}
			rep, err := a.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.Records != 60 || rep.SignedThrough != 60 {
				t.Errorf("report = %+v, want 60 records on one chain, all signed", rep)
			}
		})
	}
}
