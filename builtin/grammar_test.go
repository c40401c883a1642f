package builtin

import (
	"strings"
	"testing"
)

func TestIndirect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		question string
		persons  map[string]string
		want     string // "" when it cannot be worked out
	}{
		{"How can I change this for past invoices?", firstPerson, "how they can change this for past invoices"},
		{"Why does the app log me out every day?", firstPerson, "why the app logs them out every day"},
		{"Why did my card get charged twice?", firstPerson, "why their card got charged twice"},
		{"How do I export my customers?", firstPerson, "how to export their customers"},
		{"What size paper rolls does the P1 printer take?", firstPerson, "what size paper rolls the P1 printer takes"},
		{"When are the holiday delivery slots going to be released?", firstPerson, "when the holiday delivery slots are going to be released"},
		{"Why can't I paste commands into the terminal?", firstPerson, "why they can't paste commands into the terminal"},
		{"Who else is having the same issue?", firstPerson, "who else is having the same issue"},
		{"What revokes a refresh token?", firstPerson, "what revokes a refresh token"},
		{"Do I lose my inventory history?", firstPerson, "whether they lose their inventory history"},
		{"Is the outage over?", firstPerson, ""}, // no verb marks where the subject ends
		{"Is the reader broken again?", firstPerson, "whether the reader is broken again"},
		{"Any chance this becomes a feature?", firstPerson, "whether there is any chance this becomes a feature"},
		{"Which version of the app are you on?", agentPerson, "which version of the app the customer is on"},
		{"Are you able to see the invoice?", agentPerson, "whether the customer is able to see the invoice"},
		{"Isn't it working?", firstPerson, ""},
		{"Help?", firstPerson, ""},
	}
	for _, tt := range tests {
		got, ok := indirect(strings.Fields(tt.question), tt.persons)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("indirect(%q) = %q, want %q", tt.question, got, tt.want)
		}
	}
}

func TestShortenKeepsWholeClauses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		max  int
		want string // "" when nothing fits
	}{
		{"the reader resets itself every hour", 10, "the reader resets itself every hour"},
		{"the printer (a Star TSP143) prints blank receipts since the update", 9, "the printer prints blank receipts since the update"},
		{"the payment was declined by the bank's fraud check and then approved on the automatic retry an hour later", 12, "the payment was declined by the bank's fraud check"},
		{"there are two switches: tipping must be enabled for the business and for each device separately", 6, "there are two switches"},
		{"the item goes straight into the cart without the modifier popup ever showing", 8, ""},
	}
	for _, tt := range tests {
		got, ok := shorten(strings.Fields(tt.text), tt.max)
		s := strings.Join(got, " ")
		if !ok {
			s = ""
		}
		if s != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.text, tt.max, s, tt.want)
		}
		if ok && len(got) > tt.max {
			t.Errorf("shorten(%q, %d) kept %d words", tt.text, tt.max, len(got))
		}
	}
}

func TestStripLeadAndMoveLeadClause(t *testing.T) {
	t.Parallel()
	strip := []struct{ in, want string }{
		{"But my bank shows the payment went through.", "my bank shows the payment went through."},
		{"Agreed, we have passed that on to our docs team.", "we have passed that on to our docs team."},
		{"Done: both extra registers are removed.", "both extra registers are removed."},
		{"Quick question: what size rolls does it take?", "what size rolls does it take?"},
		{"No one can log in since the update.", "No one can log in since the update."},
		{"Yes it still crashes on start.", "it still crashes on start."},
	}
	for _, tt := range strip {
		if got := strings.Join(stripLead(strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("stripLead(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	move := []struct{ in, main, lead string }{
		{"Until it's fixed, please use limit=499 or lower.", "please use limit=499 or lower.", "Until it's fixed"},
		{"In the iPhone app, turn on Settings > Printing.", "turn on Settings > Printing.", "In the iPhone app"},
		{"On phones the popup is skipped when Quick add is enabled, which it is on your phone.", "", ""},
	}
	for _, tt := range move {
		main, lead, ok := moveLeadClause(strings.Fields(tt.in))
		if got := strings.Join(main, " "); ok != (tt.main != "") || got != tt.main || strings.Join(lead, " ") != tt.lead {
			t.Errorf("moveLeadClause(%q) = %q, %q, %v; want %q, %q", tt.in, got, strings.Join(lead, " "), ok, tt.main, tt.lead)
		}
	}
}

func TestRefersBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sentence string
		want     bool
	}{
		{"How can I change this for past and future invoices?", true},
		{"That didn't work.", true},
		{"That's all I needed help with today.", true},
		{"I tried those again yesterday.", true},
		{"This keeps happening every morning.", true},
		{"Can you do that?", true},
		{"Is it possible to fix this", true},
		{"and that fixed it for a day", true},
		{"This invoice shows the wrong VAT number.", false},
		{"These charges are not mine.", false},
		{"I have been waiting since this morning.", false},
		{"The app says that my card is invalid.", false},
		{"The app that keeps crashing is the POS.", false},
		{"I just had this really weird pop up on my phone.", false},
		{"I need it fixed so that.", false},
		{"Those invoices went to my old address.", false},
	}
	for _, tt := range tests {
		if got := refersBack(strings.Fields(tt.sentence)); got != tt.want {
			t.Errorf("refersBack(%q) = %v, want %v", tt.sentence, got, tt.want)
		}
	}
}
