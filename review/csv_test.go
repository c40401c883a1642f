package review_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := MustEnv(t, nil)
	at := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	mustNoErr(t, src.Store.CreateTask(ctx, task("k1", "eval:csv", review.Likert, at)), "task k1")
	mustNoErr(t, src.Store.CreateTask(ctx, task("k2", "eval:csv", review.Choice, at)), "task k2")
	want := []*review.Rating{
		{TaskID: "k1", Label: "A", Rater: "Product Manager", Score: 4, Comment: `says "refunded", twice`, CreatedAt: at},
		{TaskID: "k1", Label: "B", Rater: "Product Manager", Score: 1, Comment: "=HYPERLINK(\"x\")\nsecond line", CreatedAt: at},
	}
	mustNoErr(t, src.Svc.Rate(ctx, "k1", want), "rate k1")
	mustNoErr(t, src.Svc.Rate(ctx, "k2", []*review.Rating{{Rater: "qa", Chosen: "tie", CreatedAt: at}}), "rate k2")
	var buf bytes.Buffer
	mustNoErr(t, src.Svc.ExportCSV(ctx, &buf, "eval:csv"), "export")
	csv := buf.String()
	if !strings.HasPrefix(csv, "ticket_id,task_id,label,rater,method,score,chosen,comment,created_at\n") {
		t.Fatalf("csv header:\n%s", csv)
	}
	if !strings.Contains(csv, `"'=HYPERLINK(""x"")`) {
		t.Errorf("a formula comment is not defused:\n%s", csv)
	}
	// Import into a second database holding the same tasks.
	dst := MustEnv(t, nil)
	mustNoErr(t, dst.Store.CreateTask(ctx, task("k1", "eval:csv", review.Likert, at)), "task k1")
	mustNoErr(t, dst.Store.CreateTask(ctx, task("k2", "eval:csv", review.Choice, at)), "task k2")
	n, err := dst.Svc.ImportCSV(ctx, strings.NewReader(csv))
	mustNoErr(t, err, "import")
	if n != 3 {
		t.Errorf("imported %d, want 3", n)
	}
	a, _ := src.Store.ListRatings(ctx, "eval:csv")
	b, _ := dst.Store.ListRatings(ctx, "eval:csv")
	if len(a) != len(b) {
		t.Fatalf("round trip: %d ratings, want %d", len(b), len(a))
	}
	for i := range a {
		if *a[i] != *b[i] {
			t.Errorf("rating %d after round trip = %+v, want %+v", i, *b[i], *a[i])
		}
	}
}

func TestCSVBadRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	at := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	mustNoErr(t, e.Store.CreateTask(ctx, task("k1", "eval:csv", review.Likert, at)), "task")
	mustNoErr(t, e.Store.CreateTask(ctx, task("k2", "eval:csv", review.Choice, at)), "task")
	head := strings.Join(review.CSVHeader, ",") + "\n"
	rows := []string{
		"T-k1,k1,A,pm,likert,4,,,2026-11-20T08:30:00Z",    // 2 good
		"T-k1,k1,B,pm,likert,6,,,",                        // 3 score out of range
		"T-k1,k1,C,pm,likert,3,,,",                        // 4 no such label
		"T-k1,nope,A,pm,likert,3,,,",                      // 5 no such task
		"T-k1,k1,A,,likert,3,,,",                          // 6 no rater
		"T-k1,k1,A,qa,thumbs,1,,,",                        // 7 wrong method
		"T-xx,k1,A,qa,likert,3,,,",                        // 8 wrong ticket
		"T-k2,k2,,qa,choice,,C,,",                         // 9 bad choice
		"T-k1,k1,A,qa,likert,three,,,",                    // 10 not a number
		"T-k1,k1,A,qa,likert,3,,,yesterday",               // 11 bad time
		"T-k1,k1,A,qa,likert,3,,",                         // 12 too few fields
		"T-k1,k1,A,pm,likert,5,,,",                        // 13 repeats line 2
		"T-k2,k2,,qa,choice,,B,fine,2026-11-20T08:30:00Z", // 14 good
	}
	_, err := e.Svc.ImportCSV(ctx, strings.NewReader(head+strings.Join(rows, "\n")+"\n"))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("import = %v, want invalid", err)
	}
	var ie *review.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v carries no ImportError", err)
	}
	want := map[int]string{
		3: "from 1 to 5", 4: `no summary labelled "C"`, 5: "does not exist", 6: "no rater", 7: "rated by likert",
		8: "not T-xx", 9: "not a summary", 10: "not a whole number", 11: "RFC 3339", 12: "has 8 fields", 13: "repeats the rating of line 2",
	}
	got := map[int]string{}
	for _, r := range ie.Rows {
		got[r.Line] = r.Message
	}
	for line, frag := range want {
		if !strings.Contains(got[line], frag) {
			t.Errorf("line %d: %q, want it to mention %q", line, got[line], frag)
		}
	}
	if len(ie.Rows) != len(want) {
		t.Errorf("bad rows = %v, want exactly lines 3-13", ie.Rows)
	}
	if rs, _ := e.Store.ListRatings(ctx, ""); len(rs) != 0 {
		t.Errorf("an import with bad rows stored %d ratings, want none", len(rs))
	}
	for name, in := range map[string]string{
		"empty":      "",
		"bad header": "ticket,task\n",
		"no rows":    head,
	} {
		if _, err := e.Svc.ImportCSV(ctx, strings.NewReader(in)); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	// A byte-order mark from a spreadsheet is accepted.
	n, err := e.Svc.ImportCSV(ctx, strings.NewReader("\ufeff"+head+rows[0]+"\n"))
	if err != nil || n != 1 {
		t.Errorf("import with BOM = %d, %v", n, err)
	}
}
