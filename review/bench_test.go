package review_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/ticketsum/ticketsum/review"
)

func BenchmarkSampled(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		review.Sampled(0.05, "ZD-123456", int64(i))
	}
}

// benchRatings is 1,000 likert tasks of 3 candidates rated by 3 raters.
func benchRatings() ([]*review.Task, []*review.Rating) {
	var tasks []*review.Task
	var rs []*review.Rating
	at := newClock().Now()
	for i := range 1000 {
		t := task(fmt.Sprint(i), "s", review.Likert, at)
		t.Candidates = append(t.Candidates, review.Candidate{Label: "C", Config: "llama/v1"})
		tasks = append(tasks, t)
		for _, c := range t.Candidates {
			for r, rater := range []string{"pm", "qa", "lead"} {
				rs = append(rs, rating(t.ID, c.Label, rater, review.Likert, 1+(i+r)%5, ""))
			}
		}
	}
	return tasks, rs
}

func BenchmarkBuildReport(b *testing.B) {
	tasks, rs := benchRatings()
	b.ReportAllocs()
	for b.Loop() {
		review.BuildReport("s", tasks, rs)
	}
	b.ReportMetric(float64(len(rs)), "ratings/op")
}

func BenchmarkWriteCSV(b *testing.B) {
	_, rs := benchRatings()
	for b.Loop() {
		review.WriteCSV(io.Discard, rs)
	}
	b.ReportMetric(float64(len(rs)), "ratings/op")
}

func BenchmarkImportCSV(b *testing.B) {
	e := MustEnv(b, nil)
	ctx := context.Background()
	tasks, rs := benchRatings()
	tasks, rs = tasks[:200], rs[:200*9]
	for _, t := range tasks {
		if err := e.Store.CreateTask(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	for _, r := range rs {
		r.TicketID = "T-" + r.TaskID
	}
	var csv bytes.Buffer
	if err := review.WriteCSV(&csv, rs); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.Svc.ImportCSV(ctx, bytes.NewReader(csv.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rs)), "ratings/op")
}
