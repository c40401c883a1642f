package audit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/guard"
)

// TestGuardedLogHoldsNoPersonalData wires the guard outside an invocation
// log that redacts with its RedactContext, as serve does, and sends
// requests full of personal data (in the system prompt, the user and the
// assistant messages, and the answer) next to a clean one: the log must
// hold none of the values, in any field, while the clean message, whose
// second scan RedactContext skips, is logged as it was.
func TestGuardedLogHoldsNoPersonalData(t *testing.T) {
	t.Parallel()
	g, err := guard.New(guard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir, w := t.TempDir(), MustLocalWrapper(t)
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: w})
	if err != nil {
		t.Fatal(err)
	}
	logMW, err := audit.Middleware(audit.MiddlewareConfig{Log: sink, RedactContext: g.RedactContext})
	if err != nil {
		t.Fatal(err)
	}
	pii := []string{"margarethe.vandersloot@example.org", "Maria", "Garcia", "415 555 0199", "4111 1111 1111 1111",
		"DE89 3704 0044 0532 0130 00", "jan.kowalski@example.com"}
	full := "Customer Maria Garcia (margarethe.vandersloot@example.org, +1 415 555 0199) paid with 4111 1111 1111 1111 " +
		"from DE89 3704 0044 0532 0130 00; copy jan.kowalski@example.com."
	const clean = "My export fails with a permissions error since Monday; the agent fixed my role."
	for _, v := range pii {
		if strings.Contains(g.Redact(full), v) {
			t.Fatalf("the guard does not find %q: the test would test nothing", v)
		}
	}
	model := g.Middleware()(logMW(&fakeModel{name: "m1", text: "Done: " + full}))
	reqs := []*ticketsum.ModelRequest{
		{System: "Answer " + full, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: full},
			{Role: ticketsum.ChatAssistant, Content: full}, {Role: ticketsum.ChatUser, Content: clean}}},
		{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: clean}}},
	}
	for _, req := range reqs {
		// the default output policy blocks the card number in the answer,
		// after the log recorded it
		if _, err := model.Generate(context.Background(), req); err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.EBLOCKED {
			t.Fatal(err)
		}
	}
	if err := sink.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := audit.NewReader(audit.DirSource{Dir: dir}, w)
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, r)
	if len(recs) != len(reqs) {
		t.Fatalf("%d records, want %d", len(recs), len(reqs))
	}
	for i, rec := range recs {
		b, _ := json.Marshal(rec)
		for _, v := range pii {
			if strings.Contains(string(b), v) {
				t.Errorf("record %d holds %q: %s", i, v, b)
			}
		}
		body := rec.Input.InputBodyJSON
		if last := body.Messages[len(body.Messages)-1].Content; last != clean {
			t.Errorf("record %d logged the clean message as %q", i, last)
		}
	}
}
