package main

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum/review"
)

// The function samples new summaries into the review queue at
// TICKETSUM_REVIEW_SHARE, choosing exactly the summaries review.Sampled
// chooses (so a ticket summarised by the Lambda or by a worker has the same
// chance), and not at all when the share is 0.
func TestSummariesSampledForReview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		share string
		want  func(ticketID string, summaryID int64) bool
	}{
		{"1", func(string, int64) bool { return true }},
		{"0.5", func(id string, sid int64) bool { return review.Sampled(0.5, id, sid) }},
		{"0", func(string, int64) bool { return false }},
	}
	for _, tt := range tests {
		t.Run("share "+tt.share, func(t *testing.T) {
			t.Parallel()
			f, _ := MustStartResolved(t, map[string]string{"TICKETSUM_REVIEW_SHARE": tt.share})
			var batch events.SQSEvent
			for i := range 8 {
				id := fmt.Sprintf("T-%d", i)
				if _, err := f.store.UpsertTicket(t.Context(), piiTicket(id)); err != nil {
					t.Fatal(err)
				}
				batch.Records = append(batch.Records, events.SQSMessage{MessageId: "m" + id, Body: id})
			}
			resp, err := f.Handle(t.Context(), batch)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("Handle: %v, failures %v", err, failedIDs(resp))
			}
			var want []string
			for _, m := range batch.Records {
				sum, err := f.store.CurrentSummary(t.Context(), m.Body)
				if err != nil {
					t.Fatal(err)
				}
				if tt.want(sum.TicketID, sum.ID) {
					want = append(want, fmt.Sprintf("%s/%d", sum.TicketID, sum.ID))
				}
			}
			// What `ticketsum review queue` lists, read from the same tables.
			st, err := review.NewSQLStore(stdlib.OpenDBFromPool(f.store.Pool()), review.Postgres)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			items, total, err := st.ListQueue(t.Context(), review.QueueFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, q := range items {
				if q.Reason != "sampled" || q.Model != testModel {
					t.Errorf("queue item %+v, want sampled from %s", q, testModel)
				}
				got = append(got, fmt.Sprintf("%s/%d", q.TicketID, q.SummaryID))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("review queue = %v (total %d), want %v", got, total, want)
			}
		})
	}
}
