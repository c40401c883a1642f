package guard

import (
	"context"
	"strings"
	"testing"
)

// TestOutputFlagsPhoneShapedNumbers: a phone number in a model's answer is
// contact data whether or not libphonenumber accepts it (555 is no area
// code, yet the number may be a real extension or a mistyped real number),
// so the output check anonymises it, as the summariser's pipeline calls it
// (a session for the ticket, input then output).
func TestOutputFlagsPhoneShapedNumbers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, phone := range []string{
		"555-123-4567",
		"(555) 123-4567",
		"(555)123-4567",
		"555.123.4567",
		"555 123 4567",
		"1-555-123-4567",
		"+1 555 123 4567",
		"555-123-4567 x204",
		"555 - 123 - 4567",
		"555-1234",
		"011-555-1234",
		"06.12.34.56.78",
	} {
		s := g.NewSession(newTicket())
		if _, err := g.CheckInput(ctx, s, "Customer wrote in about a double charge."); err != nil {
			t.Fatal(err)
		}
		text := "Refund issued; customer asked for a follow-up at " + phone + " after 5pm."
		out, err := g.CheckOutput(ctx, s, text)
		if err != nil {
			t.Fatalf("%q: %v", phone, err)
		}
		if strings.Contains(out.Text, phone) || !hasFinding(out.Findings, Phone) {
			t.Errorf("%q: output kept the number: %q, findings %v", phone, out.Text, out.Findings)
		}
	}
}

// TestOutputLeavesNumbersThatAreNotPhones: the output check's phone layout
// does not take order numbers, ids, versions, dates, times, amounts, ranges
// or IP addresses for phone numbers.
func TestOutputLeavesNumbersThatAreNotPhones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range []string{
		"Order ORD-5551234567 was refunded.",
		"Invoice INV-2026-100483 was voided.",
		"Ticket TS-5005 was merged into TS-5006.",
		"The app was updated to v2.3.4567 and then to 10.12.1234.",
		"Charged on 2026-12-03, 03.12.2026, 12/03/2026 and 03 12 2026.",
		"The outage ran 2026-12-03 18:31:05 to 10:00-17:00.",
		"A refund of $1,234,567 was approved; 1,234,567 rows and 1 234 567 rows were copied.",
		"Between 500-1000 users saw 1200-1500 errors.",
		"Servers 192.168.100.200 and 10.0.0.1 timed out.",
		"Tracking 1Z999AA10123456784 shows delivery.",
	} {
		s := g.NewSession(newTicket())
		out, err := g.CheckOutput(ctx, s, text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if hasFinding(out.Findings, Phone) {
			t.Errorf("%q: flagged as a phone number: %q", text, out.Text)
		}
	}
}

func hasFinding(fs []Finding, typ EntityType) bool {
	for _, f := range fs {
		if f.Type == string(typ) {
			return true
		}
	}
	return false
}

// TestPhoneAfterWordsHidingAnIdWord: "id" inside "provided" or "paid", or
// "ref" inside "prefer", made the number after them an order or reference
// number, so a valid phone number after such a word passed both checks.
// The words still count where a word starts ("ref 212-555-0187").
func TestPhoneAfterWordsHidingAnIdWord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range []string{
		"The customer provided 212-555-0187 yesterday.",
		"She paid, then left 212 555 0187 with the agent.",
		"They said 212.555.0187 is best after five.",
		"I prefer 212-555-0187 after five.",
	} {
		for _, check := range []func(context.Context, *Session, string) (*Result, error){g.CheckInput, g.CheckOutput} {
			s := g.NewSession(newTicket())
			out, err := check(ctx, s, text)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if strings.Contains(out.Text, "0187") || !hasFinding(out.Findings, Phone) {
				t.Errorf("%q: kept the number: %q, findings %v", text, out.Text, out.Findings)
			}
		}
	}
	for _, text := range []string{"Order ref 2125550187 was refunded.", "Your order id: 2125550187."} {
		s := g.NewSession(newTicket())
		out, err := g.CheckInput(ctx, s, text)
		if err != nil {
			t.Fatal(err)
		}
		if hasFinding(out.Findings, Phone) {
			t.Errorf("%q: took a reference number for a phone number: %v", text, out.Findings)
		}
	}
}

// TestOutputFlagsUndashedPhoneNumbers: a phone number written without
// separators in a model's answer is contact data whether or not
// libphonenumber accepts it, as a dashed one is (phoneLayout): ten digits
// with a North American area code and exchange or a trunk 0, eleven as 1
// or 0 and ten more, or any number in international form.
func TestOutputFlagsUndashedPhoneNumbers(t *testing.T) {
	t.Parallel()
	for _, phone := range []string{"5555550123", "2225550199", "0726668629", "15555550123", "07700900123", "+15555550123", "0015555550123", "+89912345678"} {
		outputFinds(t, Phone, phone, []string{"Refund issued; customer asked for a follow-up at " + phone + " after 5pm."})
	}
}

// TestOutputLeavesUndashedNumbersThatAreNotPhones: the undashed rule takes
// no reference, booking, order or case number, timestamp, round figure,
// ISBN or id starting with 00 or 1 for a phone number.
func TestOutputLeavesUndashedNumbersThatAreNotPhones(t *testing.T) {
	t.Parallel()
	outputLeaves(t, Phone, []string{
		"Order 5555550123 was refunded.",
		"Confirmation number 5555550123 was sent.",
		"Booking reference 5555550123 was moved to Friday.",
		"Ticket 5555550123 was merged into case 0012345678.",
		"The parcel 5555550123 was returned.",
		"The claim 5555550123 was approved.",
		"The log shows 1701234567 and 1701234599 as timestamps.",
		"The export copied 2500000000 bytes.",
		"The book with ISBN 0306406152 was refunded.",
		"Account 07700900123 was closed.",
		"Customer cited ids 00197387, 0019738712 and 12345678901.",
	})
}

// TestPhoneAfterWordsStartingWithAnIdWord: "ref" and "id" counted where a
// word starts, so "Refund", "refunded" or "idea" before a valid phone
// number made it a reference and it passed both checks. They now count as
// whole words only; "reference" and "ref:" still do.
func TestPhoneAfterWordsStartingWithAnIdWord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range []string{
		"Refund issued; follow up at 212-555-0187.",
		"The customer refunded and left 212 555 0187.",
		"Good idea: 212.555.0187 after five.",
	} {
		for _, check := range []func(context.Context, *Session, string) (*Result, error){g.CheckInput, g.CheckOutput} {
			out, err := check(ctx, g.NewSession(newTicket()), text)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if strings.Contains(out.Text, "0187") || !hasFinding(out.Findings, Phone) {
				t.Errorf("%q: kept the number: %q, findings %v", text, out.Text, out.Findings)
			}
		}
	}
	outputLeaves(t, Phone, []string{"Order ref 2125550187 was refunded.", "Your order id: 2125550187.", "The reference 212-555-0187 was closed.", "Ref: 2125550187."})
}
