package eval_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

func TestArtefacts(t *testing.T) {
	t.Parallel()
	d := eval.NewDetector(60)
	long := strings.Repeat("word ", 61) + "end."
	cases := []struct {
		summary string
		want    []string
	}{
		{"The customer was charged twice; the agent refunded the duplicate charge. The issue is resolved.", nil},
		{"The customer contacted support. No agent has replied yet.", []string{eval.ArtefactFallback}},
		{"The customer wrote in German about an issue. The agent replied in German. The issue is resolved.", []string{eval.ArtefactFallback}},
		{"The agent sent a link to reset the password. The issue is resolved.", []string{eval.ArtefactPlaceholder}},
		{"The customer wants mail moved from an email address to an email address.", []string{eval.ArtefactPlaceholder, eval.ArtefactRedaction}},
		{"The customer said the total shows for 14 Oct but the CSV export says.", []string{eval.ArtefactRedaction}},
		{"The agent stated that copy the signing secret first.", []string{eval.ArtefactUngrammatical}},
		{"The agent asked the customer to don't click it.", []string{eval.ArtefactUngrammatical}},
		{"The agent stated that that said, the export works.", []string{eval.ArtefactUngrammatical}},
		{"The agent asked the customer to send the order number to", []string{eval.ArtefactCut}},
		{"The agent asked the customer to confirm those details.", []string{eval.ArtefactDangling}},
		{"The agent stated that they are closing the ticket now.", []string{eval.ArtefactSignOff}},
		{"The customer says the app is BROKEN.", []string{eval.ArtefactShouting}},
		{"The customer says the app is shit.", []string{eval.ArtefactProfanity}},
		{"The customer reports an app issue with the API and CSV export.", nil},
		{long, []string{eval.ArtefactOverLimit}},
	}
	for _, c := range cases {
		got := d.Artefacts(c.summary)
		want := append([]string(nil), c.want...)
		if len(want) == 0 {
			want = nil
		}
		sortStrings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Artefacts(%q) = %v, want %v", c.summary, got, want)
		}
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
