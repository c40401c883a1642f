package prompt_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
)

const good = "The customer's router drops Wi-Fi every evening since the 2.4 update. The agent asked the customer to switch to channel 6 and report whether the drops continue."

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		raw        string
		wantText   string
		wantStatus ticketsum.Status
	}{
		{"status line", good + "\nSTATUS: awaiting_customer", good, ticketsum.StatusAwaitingCustomer},
		{"markdown status", good + "\n\n**Status:** Awaiting customer", good, ticketsum.StatusAwaitingCustomer},
		{"lower equals", good + "\nstatus = resolved.", good, ticketsum.StatusResolved},
		{"hyphen", good + "\nStatus: awaiting-support", good, ticketsum.StatusAwaitingSupport},
		{"json", `{"summary": "` + good + `", "status": "resolved"}`, good, ticketsum.StatusResolved},
		{"json in fence", "```json\n{\"summary\": \"" + good + "\", \"status\": \"awaiting_support\"}\n```", good, ticketsum.StatusAwaitingSupport},
		{"json after text", "Here you go:\n{\"summary\": \"S.\", \"status\": \"resolved\"}", "Here you go:\n\nS.", ticketsum.StatusResolved},
		{"no status", good, good, ""},
		{"bad status line is taken off the text", good + "\nSTATUS: pending", good, "pending"},
		{"a long status-like line stays", good + "\nStatus: the customer will try the new router next week and write back", good + "\nStatus: the customer will try the new router next week and write back", ""},
		{"last status wins", "STATUS: resolved\n" + good + "\nSTATUS: awaiting_support", good, ticketsum.StatusAwaitingSupport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := prompt.ParseAnswer(tt.raw)
			if got.Text != tt.wantText || got.Status != tt.wantStatus {
				t.Errorf("ParseAnswer = %q / %q, want %q / %q", got.Text, got.Status, tt.wantText, tt.wantStatus)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The agent checked the account again. ", 12)
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"good", good + "\nSTATUS: awaiting_customer", nil},
		{"empty", "\nSTATUS: resolved", []string{prompt.ProblemEmpty}},
		{"preamble", "Here is a summary of the ticket: " + good + "\nSTATUS: resolved", []string{prompt.ProblemPreamble}},
		{"title", "**Summary**\n" + good + "\nSTATUS: resolved", []string{prompt.ProblemPreamble}},
		{"two paragraphs", good + "\n\nThe agent is waiting.\nSTATUS: resolved", []string{prompt.ProblemParagraphs}},
		{"bullets", "- The customer's router drops.\n- The agent asked for a change.\nSTATUS: resolved", []string{prompt.ProblemParagraphs}},
		{"too long", long + "\nSTATUS: resolved", []string{prompt.ProblemTooLong}},
		{"email", good + " Contact: someone@example.org.\nSTATUS: resolved", []string{prompt.ProblemPII}},
		{"phone", good + " Call +44 20 7946 0958.\nSTATUS: resolved", []string{prompt.ProblemPII}},
		{"person from ticket", "Jane reported drops; the agent asked for a channel change and the customer has not answered yet.\nSTATUS: awaiting_customer", []string{prompt.ProblemPII}},
		{"spanish", "El cliente tiene problemas con el router desde la actualización y el agente pidió cambiar el canal seis.\nSTATUS: resolved", []string{prompt.ProblemNotEnglish}},
		{"short french with English-looking 'a'", "Le client a signalé que l'exportation ne se termine plus. L'agent a relancé la tâche, ce qui a résolu le problème.\nSTATUS: resolved", []string{prompt.ProblemNotEnglish}},
		{"german", "Der Kunde hat ein Problem mit dem Router, und der Mitarbeiter hat ihn zurückgesetzt.\nSTATUS: resolved", []string{prompt.ProblemNotEnglish}},
		{"english with a foreign place name", "The customer in La Paz could not log in after the update, and the agent reset the password for them.\nSTATUS: resolved", nil},
		{"japanese", "お客様のルーターが毎晩切断されます。担当者はチャンネル変更を依頼しました。\nSTATUS: resolved", []string{prompt.ProblemNotEnglish}},
		{"no status", good, []string{prompt.ProblemNoStatus}},
	}
	tmpl := prompt.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ps := tmpl.Check(tt.raw, MustTicket(t))
			var got []string
			for _, p := range ps {
				got = append(got, p.Code)
				if strings.Contains(p.Detail, "example.org") || strings.Contains(p.Detail, "7946") || strings.Contains(p.Detail, "Jane") {
					t.Errorf("problem detail leaks personal data: %q", p.Detail)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check problems = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCustomPIIChecker(t *testing.T) {
	t.Parallel()
	calls := 0
	var gotTicket *ticketsum.Ticket
	tmpl, err := prompt.New(prompt.Config{PII: func(tk *ticketsum.Ticket, s string) []string {
		calls++
		gotTicket = tk
		if strings.Contains(s, "router") {
			return []string{"DEVICE_ID"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	tk := MustTicket(t)
	_, ps := tmpl.Check(good+"\nSTATUS: resolved", tk)
	if gotTicket != tk {
		t.Errorf("checker did not get the ticket")
	}
	if calls != 1 || len(ps) != 1 || ps[0].Code != prompt.ProblemPII || ps[0].Detail != "DEVICE_ID" {
		t.Errorf("custom PII checker: calls %d, problems %v", calls, ps)
	}
}

func TestEnglishScore(t *testing.T) {
	t.Parallel()
	en, _ := prompt.EnglishScore("The customer asked for a refund and the agent issued it on the same day.")
	de, _ := prompt.EnglishScore("Der Kunde bat um eine Rückerstattung und der Mitarbeiter hat sie am selben Tag veranlasst.")
	if en < 0.2 || de > 0.1 {
		t.Errorf("EnglishScore: English %.2f (want >= 0.2), German %.2f (want <= 0.1)", en, de)
	}
}

func ExampleTemplate_Check() {
	tmpl := prompt.Default()
	answer, problems := tmpl.Check("Here is a summary: the customer could not log in; the agent reset the password.\nSTATUS: resolved", nil)
	fmt.Println(answer.Status)
	for _, p := range problems {
		fmt.Println(p.Code)
	}
	// Output:
	// resolved
	// preamble
}
