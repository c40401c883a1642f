package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// settingProbe is a StatementCompanion whose share, when armed, records
// the synchronous_commit of the transaction it runs in, and which path
// ran it: "pipeline" (handed as statements) or "tx" (written in a
// transaction of the five-round-trip commit).
type settingProbe struct {
	mu    sync.Mutex
	armed bool
	pipe  bool // hand the share as statements (else the commit needs a transaction)
}

const probeSQL = `INSERT INTO probe (setting, path) VALUES (current_setting('synchronous_commit'), $1)`

func (p *settingProbe) arm(pipe bool) {
	p.mu.Lock()
	p.armed, p.pipe = true, pipe
	p.mu.Unlock()
}

func (p *settingProbe) Stage() (func(context.Context, *sql.Tx) error, func(error)) {
	w, _, d := p.StageStatements()
	return w, d
}

func (p *settingProbe) StageStatements() (func(context.Context, *sql.Tx) error, func(func(string, ...any)), func(error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed {
		return nil, nil, nil
	}
	p.armed = false
	write := func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, probeSQL, "tx")
		return err
	}
	var queue func(func(string, ...any))
	if p.pipe {
		queue = func(add func(string, ...any)) { add(probeSQL, "pipeline") }
	}
	return write, queue, func(error) {}
}

// lastProbe returns the setting and path of the last share written.
func lastProbe(t *testing.T, db *sql.DB) (setting, path string) {
	t.Helper()
	if err := db.QueryRow(`SELECT setting, path FROM probe ORDER BY id DESC LIMIT 1`).Scan(&setting, &path); err != nil {
		t.Fatal(err)
	}
	return setting, path
}

func invocation(i int) *Event {
	return &Event{Kind: KindInvocation, Actor: "team-a", Action: "model.call", Target: "openai:m", Outcome: "success",
		RequestID: fmt.Sprint("req-", i), CostMicros: 1200, Time: time.Date(2026, 12, 3, 9, 0, i, 0, time.UTC)}
}

// pgTrailCommit is pgTrail with TrailConfig.Commit set to commit.
func pgTrailCommit(t *testing.T, commit TrailCommit) (*Trail, *sql.DB) {
	t.Helper()
	_, db, _ := pgTrail(t)
	tr, err := NewTrail(TrailConfig{DB: db, Dialect: Postgres, NoSigning: true, Commit: commit})
	if err != nil {
		t.Fatal(err)
	}
	return tr, db
}

// TestTrailCommitReachesTheTransaction checks, on Postgres, the
// synchronous_commit that the trail's transaction runs with, seen by a
// statement of the companion in the same transaction: on by default, off
// with CommitAsync on both commit paths (the one-round-trip pipeline and
// the five-round-trip transaction, which the first group and a companion
// that needs a transaction take), and on again for a group that holds an
// admin event. The chain verifies after each mode.
func TestTrailCommitReachesTheTransaction(t *testing.T) {
	t.Parallel()
	type step struct {
		e        *Event
		pipe     bool
		wantPath string
	}
	steps := []step{
		{invocation(1), true, "tx"}, // first group: the chain's end is read
		{invocation(2), true, "pipeline"},
		{invocation(3), false, "tx"}, // the companion needs a transaction
		{invocation(4), true, "pipeline"},
		{admin("key.revoke", "alice"), true, "pipeline"},
		{admin("key.create", "alice"), false, "tx"},
	}
	for _, tc := range []struct {
		commit TrailCommit
		want   []string // synchronous_commit per step
	}{
		{"", []string{"on", "on", "on", "on", "on", "on"}},
		{CommitFlushed, []string{"on", "on", "on", "on", "on", "on"}},
		{CommitAsync, []string{"off", "off", "off", "off", "on", "on"}},
	} {
		t.Run(fmt.Sprintf("commit=%q", tc.commit), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tr, db := pgTrailCommit(t, tc.commit)
			var server string
			if err := db.QueryRow(`SHOW synchronous_commit`).Scan(&server); err != nil {
				t.Fatal(err)
			}
			if server != "on" {
				t.Fatalf("the test server's synchronous_commit is %q; the test needs on", server)
			}
			if _, err := db.Exec(`CREATE TABLE probe (id bigserial PRIMARY KEY, setting text NOT NULL, path text NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			p := &settingProbe{}
			tr.Attach(p)
			for i, s := range steps {
				p.arm(s.pipe)
				if err := tr.Append(ctx, s.e); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if setting, path := lastProbe(t, db); setting != tc.want[i] || path != s.wantPath {
					t.Errorf("step %d (%s, %s): the transaction ran %s with synchronous_commit %s; want %s with %s",
						i, s.e.Kind, s.e.Action, path, setting, s.wantPath, tc.want[i])
				}
			}
			rep, err := tr.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 0 || rep.Records != len(steps) {
				t.Errorf("%d records, problems %v; want %d on an intact chain", rep.Records, rep.Problems, len(steps))
			}
		})
	}
}

// TestAsyncCommitAfterLostEnd simulates what a crash of Postgres can do to
// asynchronous commits: the last groups, whose appends returned, are gone
// (deleted here) while the writer still remembers their end. The next
// append, on either commit path, must follow the end the database holds,
// not the lost one, so that the chain verifies.
func TestAsyncCommitAfterLostEnd(t *testing.T) {
	t.Parallel()
	for _, pipe := range []bool{true, false} {
		t.Run(fmt.Sprint("pipeline=", pipe), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tr, db := pgTrailCommit(t, CommitAsync)
			if _, err := db.Exec(`CREATE TABLE probe (id bigserial PRIMARY KEY, setting text NOT NULL, path text NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			p := &settingProbe{}
			tr.Attach(p)
			for i := range 3 {
				if err := tr.Append(ctx, invocation(i)); err != nil {
					t.Fatal(err)
				}
			}
			if !tr.writer.end.known || tr.writer.end.seq != 3 {
				t.Fatalf("the writer remembers %+v; want the end at seq 3", tr.writer.end)
			}
			if _, err := db.Exec(`DELETE FROM audit_records WHERE seq > 1`); err != nil {
				t.Fatal(err)
			}
			p.arm(pipe)
			e := invocation(4)
			if err := tr.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
			want := "tx" // after the lost end the group is hashed again after the end read under the lock
			if setting, path := lastProbe(t, db); setting != "off" || path != want {
				t.Errorf("the group after the lost end ran %s with synchronous_commit %s; want %s with off", path, setting, want)
			}
			if e.Seq != 2 {
				t.Errorf("the append after the lost end got seq %d; want 2, after the end the database holds", e.Seq)
			}
			rep, err := tr.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 0 || rep.Records != 2 {
				t.Errorf("%d records, problems %v; want 2 on an intact chain", rep.Records, rep.Problems)
			}
		})
	}
}

// TestTrailCommitSetting checks TrailConfig.Commit's values: the default
// is CommitFlushed, and a value other than flushed or async is EINVALID
// with a message naming the setting and its values.
func TestTrailCommitSetting(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	tr, err := NewTrail(TrailConfig{DB: db, Dialect: SQLite, NoSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	if tr.cfg.Commit != CommitFlushed {
		t.Errorf("default Commit %q; want %q", tr.cfg.Commit, CommitFlushed)
	}
	_, err = NewTrail(TrailConfig{DB: db, Dialect: SQLite, NoSigning: true, Commit: "lazy"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), `governance.trail_commit "lazy": want flushed or async`) {
		t.Errorf("Commit lazy: %v; want EINVALID naming governance.trail_commit and its values", err)
	}
	// On SQLite async is accepted and appends as flushed does.
	tr, err = NewTrail(TrailConfig{DB: db, Dialect: SQLite, NoSigning: true, Commit: CommitAsync})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tr.Append(context.Background(), invocation(1)); err != nil {
		t.Fatal(err)
	}
	if rep, err := tr.Verify(context.Background()); err != nil || len(rep.Problems) != 0 || rep.Records != 1 {
		t.Errorf("SQLite trail with async: %+v, %v; want 1 record on an intact chain", rep, err)
	}
}
