package eval_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

func TestCheckFacts(t *testing.T) {
	t.Parallel()
	l := &eval.Labels{Split: "dev", Kinds: []string{"question"}, Forbidden: []string{"Priya", "+1 415 555 0142"}}
	l.Facts.Issue = []string{"charged twice|duplicate charge", "vat number"}
	l.Facts.Action = []string{"refund"}
	l.Facts.Outcome = []string{"resolved"}
	cases := []struct {
		summary                string
		issue, action, outcome bool
		missing, leaked        []string
		frame                  string
	}{
		{"The customer was charged twice and asked for a VAT number; the agent refunded the duplicate. The issue is resolved.",
			true, true, true, nil, nil, ""},
		{"Priya is complaining about a duplicate charge. The agent explained the fee.", false, false, false,
			[]string{"vat number", "refund", "resolved"}, []string{"Priya"}, "complaint_frame"},
		// "refunds" matches "refund"; "vat" must not match inside "private".
		{"Refunds on private numbers: charged twice. The issue is resolved.", false, true, true, []string{"vat number"}, nil, ""},
	}
	for _, c := range cases {
		got := eval.CheckFacts(c.summary, l)
		if got.IssueOK != c.issue || got.ActionOK != c.action || got.OutcomeOK != c.outcome ||
			!reflect.DeepEqual(got.Missing, c.missing) || !reflect.DeepEqual(got.Leaked, c.leaked) || got.Frame != c.frame {
			t.Errorf("CheckFacts(%q) = %+v", c.summary, got)
		}
	}
}

func TestReadLabels(t *testing.T) {
	t.Parallel()
	in := `{"id": "A", "messages": [], "labels": {"split": "test", "kinds": ["spam"], "facts": {"issue": ["spam"]}}}
{"id": 7, "labels": {"split": "dev"}}
{"id": "B", "messages": []}
not json "labels"
`
	got, err := eval.ReadLabels(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["A"].Split != "test" || !got["A"].Has("spam") || got["A"].Facts.Issue[0] != "spam" || got["7"].Split != "dev" {
		t.Errorf("ReadLabels = %+v", got)
	}
}
