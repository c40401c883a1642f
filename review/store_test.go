package review_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/review"
)

func TestSQLStore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(testing.TB) *sql.DB
		d    review.Dialect
	}{
		{"sqlite", dbtest.SQLite, review.SQLite},
		{"postgres", dbtest.Postgres, review.Postgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.open(t)
			st, err := review.NewSQLStore(db, tc.d)
			mustNoErr(t, err, "new store")
			ctx := context.Background()
			mustNoErr(t, st.Migrate(ctx), "migrate")
			mustNoErr(t, st.Migrate(ctx), "migrate again")
			dbtest.AssertMigrated(t, db, "review_schema_migrations")
			t.Run("tasks", func(t *testing.T) { testStoreTasks(t, st) })
			t.Run("ratings", func(t *testing.T) { testStoreRatings(t, st) })
			t.Run("queue", func(t *testing.T) { testStoreQueue(t, st) })
			t.Run("regenerate", func(t *testing.T) { testStoreRegenerate(t, st) })
			t.Run("regenerate concurrently", func(t *testing.T) { testStoreRegenerateRace(t, st) })
			t.Run("eval runs", func(t *testing.T) { testStoreEvalRuns(t, st) })
		})
	}
}

func TestNewSQLStoreRejects(t *testing.T) {
	t.Parallel()
	if _, err := review.NewSQLStore(nil, review.SQLite); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("nil db: %v, want invalid", err)
	}
	if _, err := review.NewSQLStore(dbtest.SQLite(t), "mysql"); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("mysql: %v, want invalid", err)
	}
}

func testStoreTasks(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	mustNoErr(t, st.CreateTask(ctx, task("t1", "eval:run1", review.Choice, at)), "create t1")
	mustNoErr(t, st.CreateTask(ctx, task("t2", "eval:run1", review.Likert, at.Add(time.Second))), "create t2")
	mustNoErr(t, st.CreateTask(ctx, task("t3", "history", review.Thumbs, at.Add(2*time.Second))), "create t3")
	if err := st.CreateTask(ctx, task("t1", "eval:run1", review.Choice, at)); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("duplicate task: %v, want conflict", err)
	}
	got, err := st.FindTask(ctx, "t1")
	mustNoErr(t, err, "find t1")
	want := task("t1", "eval:run1", review.Choice, at)
	if got.Source != want.Source || got.TicketID != want.TicketID || got.Method != want.Method || !got.CreatedAt.Equal(at) || len(got.Candidates) != 2 {
		t.Fatalf("found %+v, want %+v", got, want)
	}
	for i := range want.Candidates {
		if got.Candidates[i] != want.Candidates[i] {
			t.Errorf("candidate %d = %+v, want %+v", i, got.Candidates[i], want.Candidates[i])
		}
	}
	if _, err := st.FindTask(ctx, "nope"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("find missing: %v, want not found", err)
	}
	run1, err := st.ListTasks(ctx, "eval:run1")
	mustNoErr(t, err, "list run1")
	if len(run1) != 2 || run1[0].ID != "t1" || run1[1].ID != "t2" || len(run1[1].Candidates) != 2 {
		t.Errorf("run1 tasks = %v, want t1, t2 with candidates", ids(run1))
	}
	all, err := st.ListTasks(ctx, "")
	mustNoErr(t, err, "list all")
	if len(all) != 3 {
		t.Errorf("all tasks = %v, want 3", ids(all))
	}
}

func ids(ts []*review.Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func testStoreRatings(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	mustNoErr(t, st.CreateTask(ctx, task("r1", "eval:r", review.Likert, at)), "create r1")
	rs := []*review.Rating{
		{TaskID: "r1", Label: "A", Rater: "pm", Method: review.Likert, Score: 4, Comment: "clear", CreatedAt: at},
		{TaskID: "r1", Label: "B", Rater: "pm", Method: review.Likert, Score: 2, CreatedAt: at},
	}
	mustNoErr(t, st.SaveRatings(ctx, rs), "save")
	// Rating again replaces the rater's earlier rating of the same label.
	mustNoErr(t, st.SaveRatings(ctx, []*review.Rating{{TaskID: "r1", Label: "A", Rater: "pm", Method: review.Likert, Score: 5, CreatedAt: at.Add(time.Minute)}}), "re-rate")
	got, err := st.ListRatings(ctx, "eval:r")
	mustNoErr(t, err, "list")
	if len(got) != 2 || got[0].Label != "A" || got[0].Score != 5 || got[0].Comment != "" || got[0].TicketID != "T-r1" || !got[0].CreatedAt.Equal(at.Add(time.Minute)) || got[1].Score != 2 {
		t.Errorf("ratings = %+v %+v, want A=5 (replaced) and B=2", got[0], got[1])
	}
	err = st.SaveRatings(ctx, []*review.Rating{
		{TaskID: "r1", Label: "B", Rater: "qa", Method: review.Likert, Score: 3, CreatedAt: at},
		{TaskID: "missing", Label: "A", Rater: "qa", Method: review.Likert, Score: 3, CreatedAt: at},
	})
	if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("rating a missing task: %v, want not found", err)
	}
	got, _ = st.ListRatings(ctx, "eval:r")
	if len(got) != 2 {
		t.Errorf("a failed batch stored %d ratings, want the 2 from before (all or nothing)", len(got))
	}
}

func testStoreQueue(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	for i, id := range []int64{30, 10, 20} {
		q := &review.QueueItem{SummaryID: id, TicketID: "Q", ContentHash: "h", Model: "m", PromptVersion: "v1", Text: "text", Status: ticketsum.StatusResolved, Reason: "sampled", SampledAt: at.Add(time.Duration(i) * time.Minute), State: review.Pending}
		ok, err := st.Enqueue(ctx, q)
		mustNoErr(t, err, "enqueue %d", id)
		if !ok {
			t.Errorf("enqueue %d reported not added", id)
		}
	}
	ok, err := st.Enqueue(ctx, &review.QueueItem{SummaryID: 10, TicketID: "Q", State: review.Pending, SampledAt: at})
	mustNoErr(t, err, "enqueue again")
	if ok {
		t.Error("enqueueing a summary twice added it again")
	}
	items, total, err := st.ListQueue(ctx, review.QueueFilter{State: review.Pending, Limit: 2})
	mustNoErr(t, err, "list")
	if total != 3 || len(items) != 2 || items[0].SummaryID != 30 || items[1].SummaryID != 10 || items[0].Status != ticketsum.StatusResolved {
		t.Errorf("pending page = %d items of %d, first %v; want 2 of 3 in sampling order 30, 10", len(items), total, items)
	}
	mustNoErr(t, st.Decide(ctx, 10, review.Decision{State: review.Edited, Reviewer: "pm", EditedText: "better", At: at.Add(time.Hour)}), "decide 10")
	mustNoErr(t, st.Decide(ctx, 20, review.Decision{State: review.Approved, Reviewer: "pm", At: at.Add(30 * time.Minute)}), "decide 20")
	mustNoErr(t, st.Decide(ctx, 30, review.Decision{State: review.Rejected, Reviewer: "pm", At: at.Add(time.Minute)}), "decide 30")
	if err := st.Decide(ctx, 99, review.Decision{State: review.Approved}); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("decide missing: %v, want not found", err)
	}
	q, err := st.FindQueueItem(ctx, 10)
	mustNoErr(t, err, "find 10")
	if q.State != review.Edited || q.Final() != "better" || q.Reviewer != "pm" || !q.DecidedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("item 10 = %+v, want edited by pm", q)
	}
	rev, err := st.ListReviewed(ctx)
	mustNoErr(t, err, "reviewed")
	if len(rev) != 2 || rev[0].SummaryID != 20 || rev[1].SummaryID != 10 {
		t.Errorf("reviewed = %v, want 20 (approved) then 10 (edited), by decision time", rev)
	}
}

func testStoreRegenerate(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	iv := 5 * time.Minute
	ok, prev, err := st.TakeRegenerate(ctx, "R", t0, iv)
	mustNoErr(t, err, "first")
	if !ok || !prev.IsZero() {
		t.Fatalf("first take = %v, %v; want ok with no previous", ok, prev)
	}
	ok, prev, _ = st.TakeRegenerate(ctx, "R", t0.Add(4*time.Minute), iv)
	if ok || !prev.Equal(t0) {
		t.Errorf("take after 4m = %v, %v; want refused, last %v", ok, prev, t0)
	}
	ok, prev, _ = st.TakeRegenerate(ctx, "R", t0.Add(5*time.Minute), iv)
	if !ok || !prev.Equal(t0) {
		t.Errorf("take after 5m = %v, %v; want ok", ok, prev)
	}
	mustNoErr(t, st.ReleaseRegenerate(ctx, "R", t0.Add(5*time.Minute), t0), "release")
	ok, _, _ = st.TakeRegenerate(ctx, "R", t0.Add(5*time.Minute+time.Second), iv)
	if !ok {
		t.Error("take after a release was refused")
	}
	// Releasing a ticket's first regeneration forgets it.
	_, _, _ = st.TakeRegenerate(ctx, "S", t0, iv)
	mustNoErr(t, st.ReleaseRegenerate(ctx, "S", t0, time.Time{}), "release first")
	if ok, _, _ := st.TakeRegenerate(ctx, "S", t0.Add(time.Second), iv); !ok {
		t.Error("take after releasing the first regeneration was refused")
	}
}

// testStoreRegenerateRace checks that of many servers regenerating one
// ticket at once exactly one wins, first time and later.
func testStoreRegenerateRace(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	for round, now := range []time.Time{t0, t0.Add(10 * time.Minute)} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Go(func() {
				ok, _, err := st.TakeRegenerate(ctx, "RACE", now, 5*time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("round %d: %d of 8 concurrent regenerations won, want exactly 1", round, wins)
		}
	}
}

func testStoreEvalRuns(t *testing.T, st *review.SQLStore) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	acc := 97.5
	older := &eval.Run{ID: "r2", StartedAt: at, Configurations: []eval.CellMetrics{{Name: "haiku", StatusAccuracy: &acc, Errors: 2}}}
	newer := &eval.Run{ID: "r1", StartedAt: at.Add(time.Hour)}
	tk := &ticketsum.Ticket{ID: "D-1", Subject: "Jam", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "It jams."}}}
	items := []eval.Item{{Config: "haiku", TicketID: "D-1", Summary: "A jam."}, {Config: "nova", TicketID: "D-1", Error: "down", ErrorCode: "unavailable"}}
	mustNoErr(t, st.SaveRun(ctx, newer), "save run")
	mustNoErr(t, st.SaveEvalRun(ctx, &review.EvalRun{Run: older, Items: items, Tickets: []*ticketsum.Ticket{tk}}), "save run with outputs")
	if err := st.SaveRun(ctx, newer); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("saving a run twice: %v, want conflict", err)
	}
	runs, err := st.ListRuns(ctx)
	mustNoErr(t, err, "list runs")
	if len(runs) != 2 || runs[0].ID != "r2" || *runs[0].Configurations[0].StatusAccuracy != 97.5 || runs[0].Configurations[0].Errors != 2 {
		t.Fatalf("runs %+v, want r2 (older) first with its metrics", runs)
	}
	got, err := st.EvalItems(ctx, "r2")
	mustNoErr(t, err, "items")
	if len(got) != 2 || got[0].Summary != "A jam." || got[1].ErrorCode != "unavailable" {
		t.Errorf("items %+v", got)
	}
	back, err := st.FindEvalTicket(ctx, "r2", "D-1")
	mustNoErr(t, err, "eval ticket")
	if back.ContentHash() != tk.ContentHash() {
		t.Error("the run's ticket changed on the way through the store")
	}
	if _, err := st.FindEvalTicket(ctx, "r1", "D-1"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("ticket of another run: %v, want not found", err)
	}
	if _, err := st.FindEvalRun(ctx, "nope"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("unknown run: %v, want not found", err)
	}
}
