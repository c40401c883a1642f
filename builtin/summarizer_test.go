package builtin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/eval"
)

// fixedClock is a Clock stopped at one instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// newTicket builds a ticket whose messages alternate customer and agent,
// starting with the customer.
func newTicket(id string, bodies ...string) *ticketsum.Ticket {
	t := &ticketsum.Ticket{ID: id, Subject: "Help", Customer: ticketsum.Customer{Name: "Dana Whitfield", Email: "dana.whitfield@example.com"}}
	for i, b := range bodies {
		m := ticketsum.Message{Role: ticketsum.RoleCustomer, Author: "Dana Whitfield", Body: b}
		if i%2 == 1 {
			m = ticketsum.Message{Role: ticketsum.RoleAgent, Author: "Priya Raman (Support)", Body: b}
		}
		t.Messages = append(t.Messages, m)
	}
	return t
}

// checkShape fails when a summary is not one paragraph of at most 60 words.
func checkShape(t *testing.T, text string) {
	t.Helper()
	if n := len(strings.Fields(text)); n > ticketsum.MaxSummaryWords || n < 5 {
		t.Errorf("summary has %d words, want 5 to %d: %q", n, ticketsum.MaxSummaryWords, text)
	}
	if strings.ContainsAny(text, "\n\r") {
		t.Errorf("summary is not one paragraph: %q", text)
	}
}

func TestSummarizeFields(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	s := builtin.MustNew(t, builtin.Config{Clock: fixedClock{now}})
	tk := newTicket("T-1",
		"My invoice for March was charged twice. Can you refund one of the payments?",
		"I have refunded the duplicate charge; it will show in 3-5 days.",
		"Great, thank you!")
	got, err := s.Summarize(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, got.Text)
	if got.TicketID != "T-1" || got.Model != "builtin" || got.PromptVersion != builtin.PromptVersion ||
		got.ContentHash != tk.ContentHash() || got.CostUSD != 0 || !got.CreatedAt.Equal(now) || got.Latency != 0 {
		t.Errorf("summary fields = %+v", got)
	}
	if got.Status != ticketsum.StatusResolved {
		t.Errorf("status = %q, want resolved", got.Status)
	}
	inputWords := 0
	for _, m := range tk.Messages {
		inputWords += len(strings.Fields(m.Body))
	}
	if got.Usage.InputTokens < inputWords || got.Usage.OutputTokens < len(strings.Fields(got.Text)) {
		t.Errorf("usage = %+v for %d output words", got.Usage, len(strings.Fields(got.Text)))
	}
	for _, want := range []string{"The customer", "charged twice", "The agent", "refunded the duplicate charge", "The issue is resolved."} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("summary %q lacks %q", got.Text, want)
		}
	}
	again, err := s.Summarize(context.Background(), tk)
	if err != nil || again.Text != got.Text {
		t.Errorf("second summary = %q, %v; want the same text", again.Text, err)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		bodies []string
		want   ticketsum.Status
	}{
		{"customer confirms fix", []string{"App crashes on start.", "Please reinstall the app.", "That worked, thanks!"}, ticketsum.StatusResolved},
		{"agent closes after thanks", []string{"App crashes.", "Reinstall it.", "Thanks, all good now.", "Glad to hear it! Let us know if you need anything else."}, ticketsum.StatusResolved},
		{"agent asks a question", []string{"App crashes.", "Which version of the app are you on?"}, ticketsum.StatusAwaitingCustomer},
		{"agent requests a DM", []string{"I was charged twice.", "Sorry about that. Please DM us your order number."}, ticketsum.StatusAwaitingCustomer},
		{"customer unanswered", []string{"My parcel is late."}, ticketsum.StatusAwaitingSupport},
		{"customer still broken", []string{"App crashes.", "Please reinstall the app.", "Thanks, but it still crashes."}, ticketsum.StatusAwaitingSupport},
		{"agent escalates", []string{"The export is broken.", "Thanks for the details. We have passed this on to our engineers and will get back to you."}, ticketsum.StatusAwaitingSupport},
		{"agent hands over to engineering", []string{"The API returns 500 on orders.", "I reproduced the error and passed it to engineering."}, ticketsum.StatusAwaitingSupport},
		{"customer thanks in Chinese", []string{"收据打印机乱码。", "Please update the printer firmware.", "更新后可以打印了，谢谢！"}, ticketsum.StatusResolved},
		{"agent asks in German", []string{"Der Bondrucker druckt keine Umlaute.", "Hallo, bitte installieren Sie den Treiber 2.4 neu."}, ticketsum.StatusAwaitingCustomer},
		{"agent answers", []string{"Do you ship to Norway?", "Yes, we ship to Norway within 5 days. Let us know if you need anything else."}, ticketsum.StatusResolved},
		{"thanking is not thanks", []string{"The ad-free time resets.", "Did the app crash?", "No. It ended by thanking me for watching the ad."}, ticketsum.StatusAwaitingSupport},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), newTicket("S", tt.bodies...))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want {
				t.Errorf("status = %q, want %q (summary %q)", got.Status, tt.want, got.Text)
			}
			checkShape(t, got.Text)
		})
	}
}

func TestNoPersonalDataOrProfanity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		bodies    []string
		forbidden []string
	}{
		{
			name: "people of the ticket",
			bodies: []string{"Hi, this is Dana Whitfield. Dana here again: my login fails since Monday with an error.",
				"Hi Dana, Priya here. I reset your password, Dana. Priya from Support"},
			forbidden: []string{"Dana", "Whitfield", "Priya", "Raman"},
		},
		{
			name:      "greeting and sign-off names",
			bodies:    []string{"Hey Sarah, the router keeps dropping the connection every hour.", "Thanks, Norlene! We have reset the line. Rach", "Cheers Tom, it works now."},
			forbidden: []string{"Sarah", "Norlene", "Rach", "Tom"},
		},
		{
			name:      "vocatives and initials",
			bodies:    []string{"My order never arrived and nobody answers.", "We can issue a refund for you Sonal, can you DM us your full name? ^JL", "ok", "Nope, Demarton, you may just leave it as it is. *RachaelTansey"},
			forbidden: []string{"Sonal", "Demarton", "JL", "Rachael"},
		},
		{
			name: "contact details and numbers",
			bodies: []string{"Call me on +44 20 7946 0958 or mail jo.bloggs@example.org, card 4111 1111 1111 1111 was charged twice for order 99812345.",
				"@JoBloggs please see https://help.example.com/refunds and www.example.com/faq and DM @AcmeCares."},
			forbidden: []string{"7946", "0958", "jo.bloggs", "example", "4111", "99812345", "https", "www", "@", "JoBloggs", "AcmeCares"},
		},
		{
			name:      "iban in groups",
			bodies:    []string{"Please send the refund to my IBAN DE89 3704 0044 0532 0130 00 today.", "I have issued the refund to the IBAN you gave."},
			forbidden: []string{"DE89", "3704", "0130"},
		},
		{
			name:      "postal address",
			bodies:    []string{"My terminal broke. Please send the replacement terminal to 17 Rue de la Paix, 75002 Paris, France, not to the old address.", "I have updated the delivery address and the replacement ships tomorrow."},
			forbidden: []string{"Rue", "Paix", "75002", "Paris"},
		},
		{
			name:      "profanity",
			bodies:    []string{"This shit app is fucking broken again and the damn update deleted my playlists.", "Sorry! Please reinstall the app to restore the playlists."},
			forbidden: []string{"shit", "fuck", "damn"},
		},
		{
			name:      "closing name before a part marker",
			bodies:    []string{"The language on the helpline is wrong for my region.", "Sorry for the trouble. Please select the language while dialing the helpline. Regards, Vicky 2/2"},
			forbidden: []string{"Vicky"},
		},
		{
			name:      "masked tokens",
			bodies:    []string{"My email is __email__ and card __credit_card__, the payment failed twice.", "Please try another card."},
			forbidden: []string{"__email__", "__credit_card__", "__"},
		},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), newTicket("P", tt.bodies...))
			if err != nil {
				t.Fatal(err)
			}
			checkShape(t, got.Text)
			t.Log(got.Text)
			for _, f := range tt.forbidden {
				if containsWord(got.Text, f) {
					t.Errorf("summary contains %q: %q", f, got.Text)
				}
			}
		})
	}
}

func TestMessyBodies(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	for i := range 200 {
		log.WriteString("2025-03-01T10:00:00Z ERROR sync failed attempt=")
		log.WriteString(strings.Repeat("1", i%3+1))
		log.WriteString("\n")
	}
	tests := []struct {
		name      string
		bodies    []string
		want      []string
		forbidden []string
	}{
		{
			name:      "html",
			bodies:    []string{"<html><body><p>The export to <b>CSV</b> fails &amp; shows a blank page.</p><script>track()</script></body></html>", "<p>Please clear the browser cache and try again.</p>"},
			want:      []string{"export to CSV fails & shows a blank page", "clear the browser cache"},
			forbidden: []string{"<", ">", "track", "&amp;"},
		},
		{
			name:      "quoted reply and signature",
			bodies:    []string{"The sync still fails after the update.\n\nBest regards,\nDana Whitfield\nCFO, Whitfield Ltd\n\nOn Mon, 3 Mar 2025 at 10:02, Support <help@acme.example> wrote:\n> Please update to 4.2.", "Please send us the sync log from Settings."},
			want:      []string{"sync still fails after the update"},
			forbidden: []string{"wrote", "Whitfield", "CFO", "update to 4.2"},
		},
		{
			name:      "pasted log",
			bodies:    []string{"Sync fails every night, log below:\n" + log.String() + "Can you check the server?", "We found a bad certificate and renewed it."},
			want:      []string{"sync fails every night"},
			forbidden: []string{"2025-03-01", "ERROR", "omitted"},
		},
		{
			name:      "non-english",
			bodies:    []string{"Bonjour, ma facture de mars est incorrecte : le montant est doublé.", "Nous avons corrigé la facture."},
			want:      []string{"The customer wrote in French about an invoice.", "Replying in French, the agent corrected the invoice."},
			forbidden: []string{"facture", "mars", "montant", "corrigé"},
		},
		{
			name:      "japanese greeting in an english reply",
			bodies:    []string{"The receipt printer prints question marks instead of Chinese characters.", "こんにちは。プリンターのファームウェアを更新してください。Please update the printer firmware to version 3.1, which adds Chinese fonts."},
			want:      []string{"firmware to version 3.1"},
			forbidden: []string{"こんにちは", "ファームウェア", "。"},
		},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), newTicket("M", tt.bodies...))
			if err != nil {
				t.Fatal(err)
			}
			checkShape(t, got.Text)
			t.Log(got.Text)
			for _, w := range tt.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("summary %q lacks %q", got.Text, w)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(got.Text, f) {
					t.Errorf("summary %q contains %q", got.Text, f)
				}
			}
		})
	}
}

// bigTicket builds a ticket of about size bytes: many long messages.
func bigTicket(size int) *ticketsum.Ticket {
	para := "The nightly export of the invoices to the accounting system fails with a timeout after the upgrade, and the retry makes duplicate rows. "
	var bodies []string
	total := 0
	for i := 0; total < size; i++ {
		body := strings.Repeat(para, 40)
		if i%2 == 1 {
			body = "We have raised the export timeout and removed the duplicate rows. " + strings.Repeat(para, 10)
		}
		bodies = append(bodies, body)
		total += len(body)
	}
	return newTicket("BIG", bodies...)
}

func TestLargeTickets(t *testing.T) {
	t.Parallel()
	s := builtin.MustNew(t, builtin.Config{})
	for _, size := range []int{150 << 10, 900 << 10} {
		tk := bigTicket(size)
		got, err := s.Summarize(context.Background(), tk)
		if err != nil {
			t.Fatal(err)
		}
		checkShape(t, got.Text)
		// The cap on the text considered bounds the input estimate.
		if max := (64 << 10) / 4; got.Usage.InputTokens > max {
			t.Errorf("%d-byte ticket: input tokens %d, want at most %d", tk.Size(), got.Usage.InputTokens, max)
		}
	}
	// One huge message with no sentence breaks.
	tk := newTicket("ONE", strings.Repeat("a", 500<<10))
	got, err := s.Summarize(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(got.Text, "\n") || len(strings.Fields(got.Text)) > ticketsum.MaxSummaryWords {
		t.Errorf("summary = %q", got.Text)
	}
}

func TestEdgeTickets(t *testing.T) {
	t.Parallel()
	s := builtin.MustNew(t, builtin.Config{})
	agentOnly := &ticketsum.Ticket{ID: "A", Messages: []ticketsum.Message{{Role: ticketsum.RoleAgent, Body: "We have restored the service after the outage."}}}
	internalOnly := &ticketsum.Ticket{ID: "I", Messages: []ticketsum.Message{{Role: ticketsum.RoleInternal, Body: "Customer Dana is VIP, handle with care."}}}
	empty := newTicket("E", "   ", "<p></p>")
	for _, tk := range []*ticketsum.Ticket{agentOnly, internalOnly, empty, newTicket("C", "Where is my parcel?")} {
		got, err := s.Summarize(context.Background(), tk)
		if err != nil {
			t.Fatalf("%s: %v", tk.ID, err)
		}
		checkShape(t, got.Text)
		if !got.Status.Valid() {
			t.Errorf("%s: status %q", tk.ID, got.Status)
		}
		if strings.Contains(got.Text, "Dana") || strings.Contains(got.Text, "VIP") {
			t.Errorf("%s: internal note leaked: %q", tk.ID, got.Text)
		}
	}
}

func TestSummarizeErrors(t *testing.T) {
	t.Parallel()
	s := builtin.MustNew(t, builtin.Config{})
	if _, err := s.Summarize(context.Background(), &ticketsum.Ticket{ID: "X"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("no messages: err = %v, want invalid", err)
	}
	if _, err := s.Summarize(context.Background(), nil); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("nil ticket: err = %v, want invalid", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Summarize(ctx, newTicket("C", "x y z")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  builtin.Config
		want string
	}{
		{builtin.Config{MaxWords: 61}, "MaxWords is 61"},
		{builtin.Config{MaxWords: 5}, "MaxWords is 5"},
		{builtin.Config{MaxInputBytes: 10}, "MaxInputBytes is 10"},
	}
	for _, tt := range tests {
		_, err := builtin.New(tt.cfg)
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want invalid %q", tt.cfg, err, tt.want)
		}
	}
	s := builtin.MustNew(t, builtin.Config{MaxWords: 25})
	got, err := s.Summarize(context.Background(), bigTicket(20<<10))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(got.Text)); n > 25 {
		t.Errorf("MaxWords 25: summary has %d words: %q", n, got.Text)
	}
}

// containsWord reports whether text holds f: as a whole word (any case)
// when f is one word of letters and digits, else as a substring.
func containsWord(text, f string) bool {
	words := eval.Tokens(f)
	if len(words) != 1 || words[0] != strings.ToLower(f) {
		return strings.Contains(strings.ToLower(text), strings.ToLower(f))
	}
	for _, w := range eval.Tokens(text) {
		if w == words[0] {
			return true
		}
	}
	return false
}

func TestIssueFraming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"complaint", "My parcel arrived broken and nobody answers my emails.", "The customer is complaining that their parcel arrived broken"},
		{"praise", "Your driver today was brilliant and really friendly.", "The customer says that the driver today was brilliant"},
		{"wh-question", "Why does the app log me out every day?", "The customer is asking why the app logs them out every day."},
		{"wh-question with modal", "How can I change the billing address?", "The customer is asking how they can change the billing address."},
		{"request", "Please cancel my subscription from November 1st.", "The customer asked support to cancel their subscription from November 1st."},
		{"leading conjunction", "But my bank shows the payment of $149 went through yesterday.", "The customer reports that their bank shows the payment"},
		{"leading clause", "When I scan barcodes with the phone camera, the picture is blurry.", "The customer is complaining that the picture is blurry when they scan barcodes with the phone camera."},
		{"yes/no question", "Can I change the delivery address of my order?", "The customer is asking whether they can change the delivery address of their order."},
		{"shouting", "MY ACCOUNT IS LOCKED AND I CANNOT LOG IN", "The customer is complaining that their account is locked and they cannot log in."},
		{"determiner is no reference", "This invoice shows the wrong VAT number for our company.", "The customer is complaining that this invoice shows the wrong VAT number"},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), newTicket("F", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Text, tt.want) {
				t.Errorf("summary = %q, want it to start with %q", got.Text, tt.want)
			}
		})
	}
}

// TestIssueReferringBack: a customer sentence whose "this" or "that"
// stands for an earlier sentence ("How can I change this?") is stated with
// that sentence, else gives way to a clause nearly as good, and is stated
// alone only when nothing else comes close.
func TestIssueReferringBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, subject, body, want string
	}{
		{"joined with the sentence before", "How do I change past invoices?",
			"Hi team, our accountant needs invoices that show our company name. The invoices we get now only show my name. How can I change this for past and future invoices?",
			"The customer reports that the invoices they get now only show their name, and is asking how they can change this for past and future invoices."},
		{"another clause nearly as good", "Booking for the Cambridge train",
			"That's the wrong booking on my account. Can you move my booking to the 9:50 train to Cambridge?",
			"The customer asked support to move their booking to the 9:50 train to Cambridge."},
		{"alone when nothing else comes close", "Booking for the Cambridge train",
			"That's the wrong Cambridge train booking on my account. Thanks for the quick reply yesterday.",
			"The customer is complaining that that's the wrong Cambridge train booking on their account."},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tk := newTicket("R", tt.body)
			tk.Subject = tt.subject
			got, err := s.Summarize(context.Background(), tk)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Text, tt.want) {
				t.Errorf("summary = %q, want it to start with %q", got.Text, tt.want)
			}
		})
	}
}

func TestActionFraming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"request", "Could you send us the order number?", "The agent asked the customer to send them the order number."},
		{"imperative", "Let's try reinstalling the app from the store.", "The agent suggested that the customer try reinstalling the app from the store."},
		{"offer", "Would you like us to book you on the next flight?", "The agent offered to book the customer on the next flight."},
		{"question", "Are you able to see the invoice in your account?", "The agent asked whether the customer is able to see the invoice in their account."},
		{"statement", "We can see that the second charge went through.", "The agent stated that they can see that the second charge went through."},
		{"action", "We have refunded the second charge to your card.", "The agent has refunded the second charge to their card."},
		{"discourse marker", "Agreed, we've passed that on to our docs team.", "The agent has passed that on to their docs team."},
		{"closing formula skipped", "I have reset the sync token. Closing this ticket now; reply any time if you need anything else.", "The agent has reset the sync token."},
		{"context reference skipped", "The sync token was stale and I have reset it. Please do the step above when you have a moment.", "The agent stated that the sync token was stale and they have reset it."},
		{"notice", "Please note that refunds take five days.", "The agent informed the customer that refunds take five days."},
	}
	s := builtin.MustNew(t, builtin.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Summarize(context.Background(), newTicket("A", "The order is late and I need it for Friday.", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.Text, tt.want) {
				t.Errorf("summary = %q, want it to contain %q", got.Text, tt.want)
			}
		})
	}
}
