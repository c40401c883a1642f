package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

var (
	logEmailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	logPhoneRE = regexp.MustCompile(`\+?\(?\d{1,4}\)?(?:[\s\-]\(?\d{2,4}\)?){2,}`)
	// logUUIDRE is a UUID, such as the AWS request id a provider error's
	// reason ends with: its digit groups are not a phone number.
	logUUIDRE = regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
)

// AssertNoTicketData fails when log holds any personal data or text of t:
// the customer's name (or any part of it longer than three letters), email
// and phone numbers, message authors, the subject, or any run of eight words
// from a message body. It also flags any email address or phone-like number
// at all, whoever's.
func AssertNoTicketData(tb testing.TB, log string, t *ticketsum.Ticket) {
	tb.Helper()
	lower := strings.ToLower(log)
	var needles []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			needles = append(needles, s)
		}
	}
	add(t.Customer.Email)
	add(t.Subject)
	for _, part := range strings.FieldsFunc(t.Customer.Name, func(r rune) bool { return r == ' ' || r == '-' }) {
		if len(part) > 3 {
			add(part)
		}
	}
	for _, m := range t.Messages {
		if m.Role == ticketsum.RoleCustomer {
			add(m.Author)
		}
		words := strings.Fields(m.Body)
		for i := 0; i+8 <= len(words); i++ {
			add(strings.Join(words[i:i+8], " "))
		}
	}
	for _, n := range needles {
		if strings.Contains(lower, strings.ToLower(n)) {
			tb.Errorf("log holds ticket data %q", n)
		}
	}
	if m := logEmailRE.FindString(log); m != "" {
		tb.Errorf("log holds an email address %q", m)
	}
	for _, m := range logPhoneRE.FindAllString(logUUIDRE.ReplaceAllString(log, "<uuid>"), -1) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		if len(digits) >= 10 { // dates have 8 digits
			tb.Errorf("log holds a phone-like number %q", m)
		}
	}
}

// The check itself must catch what it is for.
func TestAssertNoTicketDataCatches(t *testing.T) {
	t.Parallel()
	tk := piiTicket("T-9")
	tests := []struct {
		name, log string
		caught    bool
	}{
		{"clean", `{"level":"INFO","msg":"summary saved","ticket_id":"T-9","input_tokens":812}`, false},
		{"email", `{"msg":"x","to":"` + piiEmail + `"}`, true},
		{"surname", `{"msg":"summarising ticket for Lindqvist"}`, true},
		{"phone", `{"error":"call +1 415 555 0173 failed"}`, true},
		{"request id", `{"reason":"check the model's settings (ValidationException, request id fa4e0000-0000-4000-8000-000000000003)"}`, false},
		{"phone beside a request id", `{"reason":"request id fa4e0000-0000-4000-8000-000000000003, call +1 415 555 0173"}`, true},
		{"body", `{"error":"bad prompt: the quarterly reconciliation export froze at 73 percent twice"}`, true},
		{"subject", `{"subject":"Quarterly reconciliation export froze"}`, true},
	}
	for _, tt := range tests {
		rec := &recordingTB{TB: t}
		AssertNoTicketData(rec, tt.log, tk)
		if rec.failed != tt.caught {
			t.Errorf("%s: caught = %v, want %v", tt.name, rec.failed, tt.caught)
		}
	}
}

// recordingTB records failures instead of failing.
type recordingTB struct {
	testing.TB
	failed bool
}

func (r *recordingTB) Helper()                        {}
func (r *recordingTB) Errorf(format string, a ...any) { r.failed = true }
