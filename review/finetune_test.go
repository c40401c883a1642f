package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeRedact masks the ticket's known people, as the guard's anonymiser
// does with numbered placeholders.
func fakeRedact(_ context.Context, t *ticketsum.Ticket, text string) (string, error) {
	text = strings.ReplaceAll(text, t.Customer.Email, "{EMAIL_1}")
	text = strings.ReplaceAll(text, t.Customer.Name, "{NAME_1}")
	return strings.ReplaceAll(text, "Maria", "{NAME_1}"), nil
}

// fakeCheck finds what fakeRedact misses: phone numbers and any email.
func fakeCheck(_ context.Context, t *ticketsum.Ticket, text string) ([]string, error) {
	var found []string
	if strings.Contains(text, "555-") {
		found = append(found, "PHONE")
	}
	if strings.Contains(text, "@") {
		found = append(found, "EMAIL")
	}
	return found, nil
}

func TestExportFinetune(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, func(c *review.Config) { c.SampleShare = 1 })
	decide := func(tk *ticketsum.Ticket, model, text string, d review.Decision) *ticketsum.Summary {
		t.Helper()
		s := e.MustSummary(t, tk, model, text)
		_, err := e.Svc.OnSummarySaved(ctx, s)
		mustNoErr(t, err, "sample %s", tk.ID)
		if d.State != "" {
			d.Reviewer = "pm"
			_, err := e.Svc.Decide(ctx, s.ID, d)
			mustNoErr(t, err, "decide %s", tk.ID)
		}
		e.Clock.Add(60e9)
		return s
	}
	approved := e.MustTicket(t, "F-1")
	decide(approved, "bedrock:haiku", "The customer was charged twice for an order; the agent refunded the duplicate charge. Resolved.", review.Decision{State: review.Approved})
	edited := e.MustTicket(t, "F-2")
	decide(edited, "bedrock:nova", "Maria asked about refund.", review.Decision{State: review.Edited, EditedText: "A duplicate charge was reported and the agent refunded it within five days. Resolved."})
	decide(e.MustTicket(t, "F-3"), "bedrock:haiku", "Bad summary.", review.Decision{State: review.Rejected})
	decide(e.MustTicket(t, "F-4"), "bedrock:haiku", "Waiting.", review.Decision{})
	stale := e.MustTicket(t, "F-5")
	decide(stale, "bedrock:haiku", "Refunded.", review.Decision{State: review.Approved})
	stale.Messages = append(stale.Messages, ticketsum.Message{Role: ticketsum.RoleCustomer, Body: "It happened again."})
	_, err := e.Tickets.UpsertTicket(ctx, stale)
	mustNoErr(t, err, "change F-5")
	phone := e.MustTicket(t, "F-6")
	phone.Messages[0].Body += " Call me on 555-0100."
	_, err = e.Tickets.UpsertTicket(ctx, phone)
	mustNoErr(t, err, "phone")
	decide(phone, "bedrock:haiku", "Refund given.", review.Decision{State: review.Approved})
	// F-1 reviewed a second time: only its latest review is exported.
	decide(approved, "bedrock:sonnet", "A duplicate charge on an order was refunded by the agent. Resolved.", review.Decision{State: review.Approved})

	var buf bytes.Buffer
	stats, err := review.ExportFinetune(ctx, &buf, review.FinetuneConfig{Reviews: e.Store, Tickets: e.Tickets, Redact: fakeRedact, Check: fakeCheck})
	mustNoErr(t, err, "export")
	if stats.Written != 2 || len(stats.Skipped) != 2 {
		t.Errorf("stats = %+v, want 2 written (F-2, F-1) and 2 skipped (F-5 stale, F-6 phone)", stats)
	}
	reasons := map[string]string{}
	for _, s := range stats.Skipped {
		reasons[s.TicketID] = s.Reason
	}
	if !strings.Contains(reasons["F-5"], "thread changed") || reasons["F-6"] != "personal data remains after redaction: PHONE" {
		t.Errorf("skip reasons = %v", reasons)
	}
	out := buf.String()
	for _, pii := range []string{"Maria", "Jensen", "example.com", "555-0100"} {
		if strings.Contains(out, pii) {
			t.Errorf("export contains %q", pii)
		}
	}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec review.FinetuneRecord
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d is not a record: %v", i+1, err)
		}
		if rec.SchemaVersion != "bedrock-conversation-2024" || len(rec.System) != 1 || len(rec.Messages) != 2 ||
			rec.Messages[0].Role != "user" || rec.Messages[1].Role != "assistant" || rec.Messages[1].Content[0].Text == "" {
			t.Errorf("line %d = %+v", i+1, rec)
		}
	}
	golden := filepath.Join("testdata", "finetune.golden")
	if *update {
		mustNoErr(t, os.WriteFile(golden, buf.Bytes(), 0o644), "update golden")
	}
	want, err := os.ReadFile(golden)
	mustNoErr(t, err, "read golden (run with -update to create it)")
	if out != string(want) {
		t.Errorf("export differs from %s (run with -update if intended):\n%s", golden, out)
	}
}

func TestExportFinetuneRefuses(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, nil)
	for name, cfg := range map[string]review.FinetuneConfig{
		"no redaction": {Reviews: e.Store, Tickets: e.Tickets, Check: fakeCheck},
		"no check":     {Reviews: e.Store, Tickets: e.Tickets, Redact: fakeRedact},
		"no stores":    {Redact: fakeRedact, Check: fakeCheck},
	} {
		var buf bytes.Buffer
		if _, err := review.ExportFinetune(context.Background(), &buf, cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || buf.Len() != 0 {
			t.Errorf("%s: %v with %d bytes written, want invalid and nothing", name, err, buf.Len())
		}
	}
}
