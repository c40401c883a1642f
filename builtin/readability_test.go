package builtin_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
)

// msg is one message of a synthetic ticket: "c" customer, "a" agent, "i"
// internal note.
type msg struct{ role, body string }

// synthTicket builds a ticket with a customer and an agent of known names.
func synthTicket(id, subject, product string, msgs ...msg) *ticketsum.Ticket {
	t := &ticketsum.Ticket{ID: id, Subject: subject, ProductLine: product,
		Customer: ticketsum.Customer{Name: "Marta Kowalczyk", Email: "marta.k@bistro-north.example"}}
	for _, m := range msgs {
		tm := ticketsum.Message{Role: ticketsum.RoleCustomer, Author: "Marta Kowalczyk", Body: m.body}
		switch m.role {
		case "a":
			tm = ticketsum.Message{Role: ticketsum.RoleAgent, Author: "Oliver Grant", Body: m.body}
		case "i":
			tm = ticketsum.Message{Role: ticketsum.RoleInternal, Author: "Oliver Grant", Body: m.body}
		}
		t.Messages = append(t.Messages, tm)
	}
	return t
}

// foreignWords are stop words of Spanish, German, French and Italian that
// an English summary never holds.
var foreignWords = map[string]bool{"und": true, "der": true, "das": true, "ist": true, "nicht": true, "wir": true,
	"ich": true, "mit": true, "le": true, "les": true, "est": true, "pour": true, "avec": true, "nous": true,
	"vous": true, "el": true, "los": true, "las": true, "que": true, "para": true, "por": true, "una": true,
	"il": true, "di": true, "che": true, "della": true, "sono": true, "grazie": true, "gracias": true,
	"danke": true, "merci": true, "bitte": true, "pero": true, "mais": true, "aber": true, "non": true}

// endWords cannot end a sentence of a summary.
var endWords = map[string]bool{"to": true, "of": true, "for": true, "with": true, "at": true, "by": true,
	"from": true, "about": true, "into": true, "without": true, "via": true, "than": true, "the": true,
	"a": true, "an": true, "and": true, "or": true, "but": true, "that": true, "their": true, "is": true}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`)
	phoneRE = regexp.MustCompile(`\+?\d[\d ()-]{6,}\d`)
)

// checkReadable fails for a summary that breaks a rule of readable
// English prose and lists what it broke.
func checkReadable(t *testing.T, text string, forbidden []string) {
	t.Helper()
	words := strings.Fields(text)
	if len(words) == 0 || len(words) > ticketsum.MaxSummaryWords {
		t.Errorf("summary has %d words, want 1 to %d", len(words), ticketsum.MaxSummaryWords)
	}
	if strings.ContainsAny(text, "\n\r") {
		t.Error("summary is more than one paragraph")
	}
	if r, _ := utf8.DecodeRuneInString(text); !unicode.IsUpper(r) {
		t.Error("summary does not start with a capital")
	}
	if !strings.HasSuffix(text, ".") {
		t.Error("summary does not end with a full stop")
	}
	for i, w := range words {
		lw := strings.ToLower(strings.Trim(w, ".,;:!?'\"()"))
		if foreignWords[lw] {
			t.Errorf("summary holds the non-English word %q", w)
		}
		if i > 0 && lw != "" && lw == strings.ToLower(strings.Trim(words[i-1], ".,;:!?'\"()")) {
			t.Errorf("summary doubles the word %q", w)
		}
	}
	lower := strings.ToLower(text)
	for _, bad := range []string{"that but ", "that please ", "that and ", "that so ", "that just ", "that agreed",
		"that closing ", "that let ", "asking when scanning", "how can they", "step above", ", .", " ,"} {
		if strings.Contains(lower, bad) {
			t.Errorf("summary holds the broken splice %q", bad)
		}
	}
	for _, sent := range strings.SplitAfter(text, ". ") {
		sent = strings.TrimSpace(sent)
		body := strings.TrimRight(sent, ".")
		if strings.HasSuffix(body, ",") {
			t.Errorf("sentence ends in a comma: %q", sent)
		}
		ws := strings.Fields(body)
		if len(ws) > 0 && endWords[ws[len(ws)-1]] { // "Settings > About" is a menu
			t.Errorf("sentence ends in %q: %q", ws[len(ws)-1], sent)
		}
	}
	if emailRE.MatchString(text) || phoneRE.MatchString(text) {
		t.Error("summary holds an email address or a phone number")
	}
	for _, f := range forbidden {
		if containsWord(text, f) {
			t.Errorf("summary holds personal data %q", f)
		}
	}
}

// TestReadableOnUnseenTickets summarises realistic synthetic tickets of
// every kind the product meets and checks that each summary reads as
// correct English: one paragraph of at most 60 words, English only, no
// personal data, no broken splices, whole sentences, and the right status.
func TestReadableOnUnseenTickets(t *testing.T) {
	t.Parallel()
	var logLines strings.Builder
	for i := range 80 {
		logLines.WriteString("2026-11-02T03:1" + string(rune('0'+i%10)) + ":07Z ERROR worker-3 export batch=" + strings.Repeat("7", i%4+1) + " status=504 upstream timeout\n")
	}
	people := []string{"Marta", "Kowalczyk", "Oliver", "Grant", "Bistro", "marta.k"}
	tests := []struct {
		name      string
		ticket    *ticketsum.Ticket
		status    ticketsum.Status
		want      []string // substrings the summary must hold
		forbidden []string // beyond the ticket's people
	}{
		{
			name: "refund confirmed",
			ticket: synthTicket("R-1", "Charged twice for October", "billing",
				msg{"c", "Hi,\n\nWe were charged $59.00 twice for the October subscription. Can you refund the extra charge?\n\nMarta Kowalczyk\nBistro North"},
				msg{"a", "Hi Marta,\n\nSorry about that. I have refunded the duplicate $59.00 charge; it will show on your card in 3-5 business days.\n\nBest regards,\nOliver Grant\nBilling Team"},
				msg{"c", "Got it, thank you!"}),
			status: ticketsum.StatusResolved,
			want:   []string{"charged $59.00 twice", "refunded the duplicate"},
		},
		{
			name: "html email with disclaimer",
			ticket: synthTicket("R-2", "App crashes when opening reports", "mobile-app",
				msg{"c", `<html><body><div>Hello,</div><div><br></div><div>Since the update yesterday the app crashes every time I open Reports on my Android tablet.</div><div><br></div><div>Marta Kowalczyk<br>Owner, Bistro North<br>+48 601 234 567</div><div><i>This email and any attachments are confidential.</i></div></body></html>`},
				msg{"a", "<p>Hi Marta,</p><p>Thanks for the details. Could you tell me which app version is shown under Settings &gt; About?</p><p>Kind regards,<br>Oliver</p>"}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"crashes", "asked"},
		},
		{
			name: "pasted log and escalation",
			ticket: synthTicket("R-3", "Nightly export to accounting fails", "integrations-api",
				msg{"c", "Our nightly export to the accounting system fails every night since Monday, log below:\n\n" + logLines.String() + "\nCan you check what is wrong on your side?"},
				msg{"a", "Thanks for the log. The timeouts come from our export service. I've escalated this to our engineering team and will update you as soon as we have a fix."}),
			status: ticketsum.StatusAwaitingSupport,
			want:   []string{"export", "escalated"},
		},
		{
			name: "quoted reply still broken",
			ticket: synthTicket("R-4", "Receipt printer prints blank receipts", "hardware",
				msg{"c", "The receipt printer only prints blank paper since this morning."},
				msg{"a", "Please turn the paper roll around so the shiny side faces the print head, then print a test page."},
				msg{"c", "I turned the roll around but it still prints blank pages.\n\nOn Tue, 3 Nov 2026 at 10:02, Oliver Grant <oliver@tillwise.example> wrote:\n> Please turn the paper roll around so the shiny side faces the print head.\n> Best, Oliver"}),
			status: ticketsum.StatusAwaitingSupport,
			want:   []string{"blank"},
		},
		{
			name: "agent-only notice",
			ticket: synthTicket("R-5", "Service notice", "dashboard",
				msg{"a", "We have restored access to the dashboard after this morning's outage. No data was lost."}),
			status: ticketsum.StatusResolved,
			want:   []string{"restored access to the dashboard"},
		},
		{
			name: "customer never answers",
			ticket: synthTicket("R-6", "Card reader will not pair", "hardware",
				msg{"c", "My card reader will not pair with the new iPad, it keeps saying pairing failed."},
				msg{"a", "Hi Marta, could you hold the power button for 10 seconds to reset the reader and try pairing again?"},
				msg{"a", "Hi Marta, just checking whether the steps above fixed the pairing? If we don't hear back in a few days we'll assume it's sorted and close this ticket."}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"pair"},
		},
		{
			name: "closing formula after thanks",
			ticket: synthTicket("R-7", "Refund for cancelled order", "billing",
				msg{"c", "I cancelled order 55120 before it shipped but I have not received a refund yet."},
				msg{"a", "I've processed the refund for the cancelled order today; it takes up to 5 days to reach your bank."},
				msg{"c", "Perfect, thanks for sorting it out."},
				msg{"a", "You're welcome, Marta! Closing this ticket now; reply any time if you need anything else."}),
			status:    ticketsum.StatusResolved,
			want:      []string{"processed the refund"},
			forbidden: []string{"55120"},
		},
		{
			name: "escalation only",
			ticket: synthTicket("R-8", "Webhooks arrive hours late", "integrations-api",
				msg{"c", "Since yesterday our order webhooks arrive two to three hours late."},
				msg{"a", "I've escalated this to engineering."}),
			status: ticketsum.StatusAwaitingSupport,
			want:   []string{"The agent has escalated this to engineering."},
		},
		{
			name: "spanish",
			ticket: synthTicket("R-9", "El lector de tarjetas se desconecta", "hardware",
				msg{"c", "Hola,\n\nEl lector de tarjetas se desconecta del iPad cada pocos minutos y tengo que volver a emparejarlo. Con clientes esperando es un desastre.\n\nSaludos"},
				msg{"a", "Hola, siento las molestias. ¿Puede comprobar si el modo de bajo consumo está activado en el iPad y decirme si mejora al desactivarlo?"}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"Spanish", "card reader"},
		},
		{
			name: "german",
			ticket: synthTicket("R-10", "Rechnung doppelt erhalten", "billing",
				msg{"c", "Guten Tag,\n\nwir haben für Oktober zwei Rechnungen bekommen und wurden doppelt belastet. Bitte prüfen Sie das.\n\nMit freundlichen Grüßen"},
				msg{"a", "Guten Tag, vielen Dank für den Hinweis. Die zweite Rechnung wurde storniert und der Betrag wird Ihnen gutgeschrieben."},
				msg{"c", "Danke, die Gutschrift ist angekommen."}),
			status: ticketsum.StatusResolved,
			want:   []string{"German", "invoice"},
		},
		{
			name: "french",
			ticket: synthTicket("R-11", "Problème de connexion", "mobile-app",
				msg{"c", "Bonjour, je ne peux plus me connecter à l'application depuis la mise à jour, le mot de passe est refusé."}),
			status: ticketsum.StatusAwaitingSupport,
			want:   []string{"French", "login"},
		},
		{
			name: "italian",
			ticket: synthTicket("R-12", "Stampante non funziona", "hardware",
				msg{"c", "Buongiorno, la stampante non stampa più gli scontrini da ieri sera. Abbiamo già provato a riavviarla."},
				msg{"a", "Buongiorno, abbiamo spedito una stampante sostitutiva con corriere espresso, arriverà domani."},
				msg{"c", "Grazie mille, funziona tutto."}),
			status: ticketsum.StatusResolved,
			want:   []string{"Italian", "printer"},
		},
		{
			name: "japanese with english subject",
			ticket: synthTicket("R-22", "Receipt printer prints garbled characters", "hardware",
				msg{"c", "レシートプリンターで商品名が文字化けします。日本語の商品だけです。"},
				msg{"a", "プリンターの文字コード設定を日本語に変更してください。設定方法を添付しました。"}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"The customer reports a problem: Receipt printer prints garbled characters.", "Japanese"},
		},
		{
			name: "replacement ordered",
			ticket: synthTicket("R-13", "Kitchen display is dead", "hardware",
				msg{"c", "Our kitchen display will not turn on at all this morning, the power light stays off."},
				msg{"a", "The display is under warranty, so we have shipped a replacement by express delivery; it arrives tomorrow."},
				msg{"c", "Great, the new one works. Thanks!"}),
			status: ticketsum.StatusResolved,
			want:   []string{"shipped a replacement"},
		},
		{
			name: "api question with json",
			ticket: synthTicket("R-14", "API returns 400 on order create", "integrations-api",
				msg{"c", "POST /v2/orders returns 400 with this body:\n\n{\"error\":{\"code\":\"invalid_field\",\"field\":\"line_items[0].price\"}}\n\nWhy does the API reject the price field?"},
				msg{"a", "The price field must be an integer in cents, not a decimal string. Please send 1250 instead of \"12.50\" and the request will succeed."}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"why the API rejects the price field"},
		},
		{
			name: "name mid-sentence",
			ticket: synthTicket("R-15", "Staff member cannot log in", "dashboard",
				msg{"c", "My manager Tomasz Wieczorek cannot log in to the dashboard since his password reset this morning."},
				msg{"a", "I have unlocked the staff account after too many failed attempts; the password works again now."},
				msg{"c", "That worked, thank you."}),
			status:    ticketsum.StatusResolved,
			want:      []string{"unlocked"},
			forbidden: []string{"Tomasz", "Wieczorek"},
		},
		{
			name: "contact details in body",
			ticket: synthTicket("R-16", "Card declined at checkout", "billing",
				msg{"c", "The subscription payment keeps failing with card 4111 1111 1111 1111. Call me on +44 20 7946 0958 or email marta.k@bistro-north.example."},
				msg{"a", "The payment fails because the card has expired. Please add a new card under Settings > Billing and we will retry the charge."}),
			status:    ticketsum.StatusAwaitingCustomer,
			want:      []string{"payment"},
			forbidden: []string{"4111", "7946", "0958"},
		},
		{
			name: "how-to answered",
			ticket: synthTicket("R-17", "Export customer list", "dashboard",
				msg{"c", "How can I export my customer list to a spreadsheet?"},
				msg{"a", "Go to Customers, click Export and pick CSV; the file downloads straight away."},
				msg{"c", "Found it, thanks!"}),
			status: ticketsum.StatusResolved,
			want:   []string{"how they can export their customer list"},
		},
		{
			name: "no agent yet",
			ticket: synthTicket("R-18", "Tips missing from payout", "billing",
				msg{"c", "The card tips from Saturday are missing from today's payout. The payout is $312 lower than the sales report."}),
			status: ticketsum.StatusAwaitingSupport,
			want:   []string{"No agent has replied yet."},
		},
		{
			name: "conjunction and request openers",
			ticket: synthTicket("R-19", "Cancel subscription", "billing",
				msg{"c", "Please cancel my subscription from December 1st. But first tell me how to download my sales history."},
				msg{"a", "Agreed, we will cancel the subscription on December 1st. Please do the step above when you have a moment."}),
			status: ticketsum.StatusAwaitingCustomer,
			want:   []string{"asked support to cancel their subscription", "cancel the subscription"},
		},
		{
			name: "shouting and profanity",
			ticket: synthTicket("R-20", "Orders not syncing", "mobile-app",
				msg{"c", "THIS DAMN APP HAS NOT SYNCED MY ORDERS FOR TWO DAYS AND I AM LOSING SALES"},
				msg{"a", "I'm sorry for the trouble. We have resynced your orders from the server and the app is up to date again."},
				msg{"c", "Yes, they are back now. Thanks."}),
			status:    ticketsum.StatusResolved,
			want:      []string{"resynced"},
			forbidden: []string{"damn"},
		},
		{
			name: "wh-question with leading clause",
			ticket: synthTicket("R-21", "Downgrade question", "billing",
				msg{"c", "If I downgrade from Pro to Starter, do I lose my inventory history?"},
				msg{"a", "No, your inventory history stays; only the extra locations are switched off."}),
			status: ticketsum.StatusResolved,
			want:   []string{"whether they lose their inventory history if they downgrade from Pro to Starter"},
		},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), tt.ticket)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(got.Text)
			checkReadable(t, got.Text, append(append([]string(nil), people...), tt.forbidden...))
			if got.Status != tt.status {
				t.Errorf("status = %s, want %s", got.Status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("summary lacks %q", w)
				}
			}
		})
	}
}
