package access_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// fleetDatabases are the databases a fleet shares: a SQLite file and a
// fresh Postgres database.
var fleetDatabases = []struct {
	name string
	db   func(testing.TB) *sql.DB
	d    access.Dialect
}{
	{"sqlite", func(tb testing.TB) *sql.DB { db, _ := dbtest.SQLiteFile(tb); return db }, access.SQLite},
	{"postgres", dbtest.Postgres, access.Postgres},
}

// TestRevokedKeyRefusedByAnotherInstance runs two services on one database,
// as two processes of a fleet: a key revoked through one is refused by the
// other once its cache TTL has passed, while its cache served it before.
func TestRevokedKeyRefusedByAnotherInstance(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := tc.db(t)
			const ttl = 200 * time.Millisecond
			a, err := access.NewService(access.Config{Store: MustStore(t, db, tc.d), CacheTTL: ttl})
			if err != nil {
				t.Fatal(err)
			}
			b, err := access.NewService(access.Config{Store: MustStore(t, db, tc.d), CacheTTL: ttl})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}}); err != nil {
				t.Fatal(err)
			}
			raw, k, err := a.CreateKey(ctx, "admin", "team-a", 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Authenticate(ctx, raw); err != nil {
				t.Fatalf("b before revocation: %v", err)
			}
			if err := a.RevokeKey(ctx, "admin", k.Prefix); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Authenticate(ctx, raw); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
				t.Errorf("a right after its own revocation: %v, want unauthorized", err)
			}
			time.Sleep(ttl + 10*time.Millisecond) // past the TTL, b must confirm the version before serving
			_, err = b.Authenticate(ctx, raw)
			if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
				t.Fatalf("b after the TTL: %v, want unauthorized", err)
			}
			t.Log(ticketsum.ErrorMessage(err))
		})
	}
}

// TestKilledProcessLeaseHeldThenReleased: a process leases budget, charges
// one call (its flush commits) and is killed with another call in flight.
// Its lease keeps counting against the budget, so that no other process
// can spend what the dead one might have, until another process's sweep
// finds it unrenewed past StaleAfter and releases it: the charged call
// stays charged, nothing stays reserved, and the budget is usable again.
// A live process's renewed lease is not released.
func TestKilledProcessLeaseHeldThenReleased(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := tc.db(t)
			clock := newClock()
			store, dead, p := mustFirstProcess(t, db, tc.d, clock)
			paid, err := dead.ReserveFor(ctx, p, 0.5, "req-paid")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dead.ReserveFor(ctx, p, 0.4, "req-in-flight"); err != nil {
				t.Fatal(err)
			}
			if err := dead.Settle(ctx, paid, 0.123456); err != nil {
				t.Fatal(err)
			}
			mustBudget(t, store, "team-a", func(b access.BudgetState) bool { return b.SpentMicros == 123_456 })
			// The process is killed here: its lease (0.9 - 0.123456) stays.

			live, err := access.NewService(access.Config{Store: MustStore(t, db, tc.d), Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := live.Reserve(ctx, p, 0.2); ticketsum.ErrorCodeOf(err) != ticketsum.EQUOTA {
				t.Fatalf("reserve beside the dead lease: %v, want quota_exceeded (the dead process may have spent it)", err)
			}
			held, err := live.Reserve(ctx, p, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			clock.Add(time.Hour)
			// The live process's flush renews its lease (so does Run, every
			// StaleAfter/4).
			if err := live.Settle(ctx, held, 0.01); err != nil {
				t.Fatal(err)
			}
			mustBudget(t, store, "team-a", func(b access.BudgetState) bool { return b.SpentMicros == 133_456 })
			n, err := live.ReleaseStaleLeases(ctx, 15*time.Minute)
			if err != nil || n != 1 {
				t.Fatalf("released %d, %v; want the dead process's lease only", n, err)
			}
			spent, reserved, err := live.Spend(ctx, "team-a")
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%.6f/%.6f", spent, reserved); got != "0.133456/0.000000" {
				t.Errorf("spent/reserved = %s, want both charged calls and nothing held", got)
			}
			if _, err := live.Reserve(ctx, p, 0.8); err != nil {
				t.Errorf("reserve after the sweep: %v", err)
			}
		})
	}
}

// TestBudgetViewsReleaseDeadLeases: a process is killed holding a lease,
// and no process runs the sweep (Run) afterwards, as in a fleet whose
// workers use the built-in model. Once the lease is unrenewed for
// StaleAfter, the budget views of a new process (principals list, the
// governance page) release it and show nothing reserved, instead of the
// dead process's headroom until the next governed process starts.
func TestBudgetViewsReleaseDeadLeases(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := tc.db(t)
			clock := newClock()
			_, dead, p := mustFirstProcess(t, db, tc.d, clock)
			if _, err := dead.ReserveFor(ctx, p, 0.4, "req-in-flight"); err != nil {
				t.Fatal(err)
			}
			// Killed here: its lease of 0.4 stays.
			view, err := access.NewService(access.Config{Store: MustStore(t, db, tc.d), Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			if _, reserved, err := view.Spend(ctx, "team-a"); err != nil || reserved != 0.4 {
				t.Fatalf("reserved before StaleAfter = %v, %v; want the dead lease kept", reserved, err)
			}
			clock.Add(15*time.Minute + time.Second)
			bs, err := view.Budgets(ctx)
			if err != nil || len(bs) != 1 || bs[0].ReservedUSD != 0 {
				t.Fatalf("budgets past StaleAfter = %+v, %v; want nothing reserved", bs, err)
			}
			if spent, reserved, err := view.Spend(ctx, "team-a"); err != nil || spent != 0 || reserved != 0 {
				t.Errorf("spend past StaleAfter = %v/%v, %v; want 0/0", spent, reserved, err)
			}
		})
	}
}

// mustFirstProcess returns the store on db, the service of a first
// process on it and the principal team-a ($1 a month) it created.
func mustFirstProcess(t *testing.T, db *sql.DB, d access.Dialect, clock *fixedClock) (*access.SQLStore, *access.Service, *access.Principal) {
	t.Helper()
	store := MustStore(t, db, d)
	svc, err := access.NewService(access.Config{Store: store, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	p := &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1}
	if err := svc.CreatePrincipal(context.Background(), "admin", p); err != nil {
		t.Fatal(err)
	}
	return store, svc, p
}

// mustBudget waits until the stored budget of principal in the test
// clock's month satisfies ok (a ledger's writer commits in the background).
func mustBudget(t *testing.T, store access.Store, principal string, ok func(access.BudgetState) bool) {
	t.Helper()
	waitBudget(t, store, principal, newClock().Now(), ok)
}

// waitBudget waits until the stored budget of principal in at's month
// satisfies ok.
func waitBudget(t *testing.T, store access.Store, principal string, at time.Time, ok func(access.BudgetState) bool) {
	t.Helper()
	var b access.BudgetState
	for range 500 {
		var err error
		if b, err = store.Budget(context.Background(), principal, access.Period(at)); err != nil {
			t.Fatal(err)
		}
		if ok(b) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("budget of %s never reached the state wanted: %+v", principal, b)
}

// TestFleetBudgetRace runs four services (four processes' ledgers) on one
// database, 25 concurrent calls each, every call estimated at its maximum
// cost, against a $1 budget, with leases of one call and of a quarter of
// the budget: the documented bound is that spend never exceeds the budget
// plus what calls cost above their estimates (here nothing), that every
// passed call is charged, and that calls are refused only while the
// budget less what the other processes hold unused (at most a lease or a
// call each) is spent.
func TestFleetBudgetRace(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		for _, fraction := range []float64{0.01, 0.25} {
			t.Run(fmt.Sprintf("%s/lease=%.2f", tc.name, fraction), func(t *testing.T) {
				t.Parallel()
				runFleetBudget(t, tc.db(t), tc.d, fraction)
			})
		}
	}
}

// raceCalls makes perInstance concurrent calls of team-a through each of
// svcs (call i through svcs[i%len(svcs)]), each estimated at estimate and
// costing $0.03-0.05; record, when set, records call i after it passed or
// was refused for the budget, as the call's process would. It then
// flushes every service and returns the calls passed and refused and what
// the passed ones cost.
func raceCalls(t *testing.T, svcs []*access.Service, estimate float64, perInstance int, record func(i int) error) (ok, denied int, charged float64) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range len(svcs) * perInstance {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cost := 0.03 + float64(i%3)*0.01
			wrap := access.Middleware(svcs[i%len(svcs)], fixedEstimate(estimate))
			_, err := wrap(&fakeModel{name: haiku, cost: cost}).Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}})
			code := ticketsum.ErrorCodeOf(err)
			if code != "" && code != ticketsum.EQUOTA {
				t.Errorf("call %d: %v", i, err)
				return
			}
			if record != nil {
				if rerr := record(i); rerr != nil {
					t.Errorf("record call %d: %v", i, rerr)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if code == "" {
				ok++
				charged += cost
			} else {
				denied++
			}
		}()
	}
	wg.Wait()
	for _, s := range svcs {
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return ok, denied, charged
}

func runFleetBudget(t *testing.T, db *sql.DB, d access.Dialect, fraction float64) {
	ctx := context.Background()
	const budget, estimate, instances, perInstance = 1.0, 0.05, 4, 25
	var svcs []*access.Service
	for range instances {
		s, err := access.NewService(access.Config{Store: MustStore(t, db, d), Clock: newClock(), LeaseFraction: fraction})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, s)
	}
	svcs[0].ApproveModel(ctx, "admin", haiku, "")
	if err := svcs[0].CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: budget}); err != nil {
		t.Fatal(err)
	}
	ok, denied, charged := raceCalls(t, svcs, estimate, perInstance, nil)
	spent, reserved, err := svcs[1].Spend(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d calls passed, %d denied, spent $%.4f of $%.2f", d, ok, denied, spent, budget)
	if spent > budget+1e-9 {
		t.Errorf("spent $%.4f over the budget $%.2f: the bound is 0 when calls cost no more than their estimates", spent, budget)
	}
	if reserved != 0 {
		t.Errorf("reserved $%.6f left after every call settled", reserved)
	}
	if fmt.Sprintf("%.6f", spent) != fmt.Sprintf("%.6f", charged) {
		t.Errorf("spent $%.6f, but the calls that passed cost $%.6f", spent, charged)
	}
	// Unused headroom another process holds: its lease, or what is left
	// of a call's reservation after the call cost less.
	stranded := (instances - 1) * max(fraction*budget, estimate)
	if least := int((budget - stranded) / estimate); denied == 0 || ok < least {
		t.Errorf("%d passed and %d denied: want at least %d to pass and some to be denied", ok, denied, least)
	}
}

// TestIdleLeaseHandedBack: Run writes a settlement no trail commit took
// and hands back the headroom of a lease unused for LeaseIdle, so that a
// quiet process holds nothing another could use.
func TestIdleLeaseHandedBack(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.SQLiteFile(t)
	store := MustStore(t, db, access.SQLite)
	svc, err := access.NewService(access.Config{Store: store, LeaseFraction: 0.5, LeaseIdle: 20 * time.Millisecond, TrailCommits: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1}
	if err := svc.CreatePrincipal(ctx, "admin", p); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Reserve(ctx, p, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Budget(ctx, "team-a", access.Period(time.Now()))
	if err != nil || b.ReservedMicros != 500_000 {
		t.Fatalf("reserved after the first call = %d, %v; want a lease of half the budget", b.ReservedMicros, err)
	}
	if err := svc.Settle(ctx, r, 0.05); err != nil {
		t.Fatal(err)
	}
	go svc.Run(ctx)
	waitBudget(t, store, "team-a", time.Now(), func(b access.BudgetState) bool { return b.SpentMicros == 50_000 && b.ReservedMicros == 0 })
}

// TestLeaseNotUsedUnrenewed: a process reserves from its lease in memory,
// also while the database is out of reach, but not once the lease has gone
// unrenewed for half of StaleAfter (after which another process may soon
// release it): then a call needs a write, and is refused as unavailable.
func TestLeaseNotUsedUnrenewed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := dbtest.SQLiteFile(t)
	clock := newClock()
	svc, err := access.NewService(access.Config{Store: MustStore(t, db, access.SQLite), Clock: clock, LeaseFraction: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	p := &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1}
	if err := svc.CreatePrincipal(ctx, "admin", p); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reserve(ctx, p, 0.1); err != nil {
		t.Fatal(err)
	}
	db.Close() // the database is out of reach from here on
	if _, err := svc.Reserve(ctx, p, 0.1); err != nil {
		t.Fatalf("reserve from the lease's headroom with the database out of reach: %v", err)
	}
	clock.Add(8 * time.Minute) // past half of StaleAfter (15 minutes)
	if _, err := svc.Reserve(ctx, p, 0.1); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Fatalf("reserve from a lease unrenewed for 8 minutes: %v, want unavailable", err)
	}
}

// TestBudgetFlushOfManyPrincipals writes one flush that settles the leases
// of several principals (one statement on Postgres), or of one (its own
// statements), beside one that closes its lease, and checks every month's
// counters and lease row.
func TestBudgetFlushOfManyPrincipals(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		// n principals: n-1 settle, one closes; with 2, the one lease that
		// settles has statements of its own rather than the one of many.
		for _, n := range []int{6, 2} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, n), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				store := MustStore(t, tc.db(t), tc.d)
				at := newClock().Now()
				const want = 100_000
				grants := &access.BudgetFlush{Holder: "h", At: at}
				for i := range n {
					grants.Leases = append(grants.Leases, &access.LeaseWrite{ID: fmt.Sprintf("h-%d", i), Principal: fmt.Sprintf("team-%d", i),
						Period: "2026-11", Want: want, Min: 1, Limit: 1_000_000})
				}
				if err := store.CommitBudget(ctx, grants); err != nil {
					t.Fatal(err)
				}
				for _, w := range grants.Leases {
					if w.Granted != want {
						t.Fatalf("%s granted %d, want %d", w.Principal, w.Granted, want)
					}
				}
				settle := &access.BudgetFlush{Holder: "h", At: at.Add(time.Second)}
				for i := range n - 1 { // team-0..n-2 settle; team-1 also hands back headroom
					w := &access.LeaseWrite{ID: fmt.Sprintf("h-%d", i), Principal: fmt.Sprintf("team-%d", i), Period: "2026-11",
						Spent: int64(1000*i + 7), Consumed: int64(1000 * i)}
					if i == 1 {
						w.Release = 500
					}
					settle.Leases = append(settle.Leases, w)
				}
				// team-(n-1) spends what it holds and closes its lease.
				settle.Leases = append(settle.Leases, &access.LeaseWrite{ID: fmt.Sprintf("h-%d", n-1), Principal: fmt.Sprintf("team-%d", n-1), Period: "2026-11",
					Spent: want + 3, Consumed: want, Close: true})
				if err := store.CommitBudget(ctx, settle); err != nil {
					t.Fatal(err)
				}
				leases, err := store.StaleLeases(ctx, at.Add(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				held := map[string]int64{}
				for _, l := range leases {
					held[l.Principal] = l.Micros
				}
				for i, w := range settle.Leases {
					b, err := store.Budget(ctx, w.Principal, "2026-11")
					if err != nil {
						t.Fatal(err)
					}
					left := want - w.Consumed - w.Release
					if b.SpentMicros != w.Spent || b.ReservedMicros != left {
						t.Errorf("%s: spent %d reserved %d, want %d and %d", w.Principal, b.SpentMicros, b.ReservedMicros, w.Spent, left)
					}
					if got, ok := held[w.Principal]; i < n-1 && (!ok || got != left) {
						t.Errorf("%s's lease holds %d (found %v), want %d", w.Principal, got, ok, left)
					}
				}
				if _, ok := held[fmt.Sprintf("team-%d", n-1)]; ok {
					t.Errorf("team-%d's closed lease is still stored", n-1)
				}
			})
		}
	}
}

// TestBudgetFlushesInOppositeOrders: two processes flushing the same
// principals' months, each listing them in the opposite order, settle and
// extend (every kind of statement a flush runs) at once; rows are locked in
// one order whatever the flush's, so no flush deadlocks (Postgres would
// abort one with SQLSTATE 40P01), and every settlement counts.
func TestBudgetFlushesInOppositeOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Postgres(t)
	stores := []*access.SQLStore{MustStore(t, db, access.Postgres), MustStore(t, db, access.Postgres)}
	at := newClock().Now()
	const n, rounds = 6, 30
	for h, store := range stores {
		f := &access.BudgetFlush{Holder: fmt.Sprint("h", h), At: at}
		for i := range n {
			f.Leases = append(f.Leases, &access.LeaseWrite{ID: fmt.Sprintf("h%d-%d", h, i), Principal: fmt.Sprintf("team-%d", i),
				Period: "2026-11", Want: 1_000_000, Min: 1, Limit: 1_000_000_000})
		}
		if err := store.CommitBudget(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for h, store := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				f := &access.BudgetFlush{Holder: fmt.Sprint("h", h), At: at}
				for j := range n {
					i := j
					if h == 1 {
						i = n - 1 - j
					}
					w := &access.LeaseWrite{ID: fmt.Sprintf("h%d-%d", h, i), Principal: fmt.Sprintf("team-%d", i), Period: "2026-11", Spent: 1}
					if (i+r)%3 == 0 {
						w.Want, w.Min, w.Limit = 10, 1, 1_000_000_000 // an extension among the settlements
					}
					f.Leases = append(f.Leases, w)
				}
				if err := store.CommitBudget(ctx, f); err != nil {
					t.Errorf("holder %d, round %d: %v", h, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i := range n {
		b, err := stores[0].Budget(ctx, fmt.Sprintf("team-%d", i), "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if b.SpentMicros != 2*rounds {
			t.Errorf("team-%d spent %d, want %d", i, b.SpentMicros, 2*rounds)
		}
	}
}

// TestFleetBudgetRaceThroughTrail is the fleet's budget race with every
// instance's settlements committed in its audit trail's group commits (as
// serve runs: on Postgres the trail pipelines them with the records): each
// call passed is charged exactly once and nothing stays reserved.
func TestFleetBudgetRaceThroughTrail(t *testing.T) {
	t.Parallel()
	for _, tc := range fleetDatabases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := tc.db(t)
			const budget, estimate, instances, perInstance = 1.0, 0.05, 4, 25
			var svcs []*access.Service
			var trails []*audit.Trail
			for range instances {
				s, err := access.NewService(access.Config{Store: MustStore(t, db, tc.d), Clock: newClock(), TrailCommits: true})
				if err != nil {
					t.Fatal(err)
				}
				tr, err := audit.NewTrail(audit.TrailConfig{DB: db, Dialect: tc.d, NoSigning: true})
				if err != nil {
					t.Fatal(err)
				}
				if err := tr.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				tr.Attach(s)
				svcs, trails = append(svcs, s), append(trails, tr)
			}
			svcs[0].ApproveModel(ctx, "admin", haiku, "")
			if err := svcs[0].CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: budget}); err != nil {
				t.Fatal(err)
			}
			ok, _, charged := raceCalls(t, svcs, estimate, perInstance, func(i int) error {
				return trails[i%instances].Append(ctx, &audit.Event{Kind: audit.KindInvocation, Action: "generate", Actor: "team-a", Outcome: "success"})
			})
			spent, reserved, err := svcs[1].Spend(ctx, "team-a")
			if err != nil {
				t.Fatal(err)
			}
			if spent > budget+1e-9 || reserved != 0 || fmt.Sprintf("%.6f", spent) != fmt.Sprintf("%.6f", charged) {
				t.Errorf("spent $%.6f (reserved $%.6f) of $%.2f; the %d calls that passed cost $%.6f", spent, reserved, budget, ok, charged)
			}
			rep, err := trails[0].Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Records != instances*perInstance || len(rep.Problems) != 0 {
				t.Errorf("%d records, problems %v; want %d on an intact chain", rep.Records, rep.Problems, instances*perInstance)
			}
		})
	}
}
