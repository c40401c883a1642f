package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// MustLongTicket returns a valid ticket of about words words spread over
// ten messages, the size of a typical support thread (1,500 words).
func MustLongTicket(tb testing.TB, id string, words int) *ticketsum.Ticket {
	tb.Helper()
	vocab := strings.Fields("the invoice export fails when I open the billing page and click download so " +
		"our accountant cannot close the month please check the renderer logs attached below thanks")
	t := MustTicket(tb, id)
	t.Messages = nil
	per := max(1, words/10)
	for m := range 10 {
		var b strings.Builder
		for w := range per {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[(m*per+w)%len(vocab)])
		}
		role := ticketsum.RoleCustomer
		if m%2 == 1 {
			role = ticketsum.RoleAgent
		}
		t.Messages = append(t.Messages, ticketsum.Message{Role: role, Author: "A", At: Epoch.Add(time.Duration(m) * time.Hour), Body: b.String()})
	}
	return t
}

// Bench runs the store benchmarks: upserting 1,500-word tickets, saving
// summaries, listing a page of 100 from 1,000 tickets, and (List50k) the
// lists and searches of a reviewer in 50,000 tickets, whose seeding takes
// tens of seconds: select it alone with -bench 'Store/List50k'. open must
// return a new, empty store.
func Bench(b *testing.B, open func(b *testing.B) Store) {
	ctx := context.Background()
	b.Run("UpsertTicket1500Words", func(b *testing.B) {
		s := open(b)
		base := MustLongTicket(b, "x", 1500)
		b.SetBytes(int64(base.Size()))
		i := 0
		for b.Loop() {
			t := *base
			t.ID = fmt.Sprintf("T-%d", i)
			i++
			if _, err := s.UpsertTicket(ctx, &t); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	})
	b.Run("SaveSummary", func(b *testing.B) {
		s := open(b)
		t := MustTicket(b, "T-1")
		MustUpsert(b, s, t)
		i := 0
		for b.Loop() {
			sum := MustSummary(b, t, fmt.Sprintf("m-%d", i))
			i++
			if _, err := s.SaveSummary(ctx, sum); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "summaries/s")
	})
	b.Run("ListPage100Of1000", func(b *testing.B) {
		s := open(b)
		for i := range 1000 {
			t := MustTicket(b, fmt.Sprintf("T-%04d", i), WithUpdatedAt(Epoch.Add(time.Duration(i)*time.Minute)))
			MustUpsert(b, s, t)
			if i%2 == 0 {
				MustSave(b, s, MustSummary(b, t, "m"))
			}
		}
		for b.Loop() {
			views, total, err := s.ListTickets(ctx, ticketsum.TicketFilter{Limit: 100, Offset: 300})
			if err != nil || len(views) != 100 || total != 1000 {
				b.Fatalf("list: %d views of %d, %v", len(views), total, err)
			}
		}
	})
	b.Run("List50k", func(b *testing.B) { benchList(b, open(b)) })
}
