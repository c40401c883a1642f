package guard

import (
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// MustGuard returns a Guard with cfg or fails the test.
func MustGuard(tb testing.TB, cfg Config) *Guard {
	tb.Helper()
	g, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return g
}

// found returns the values detected in text, by type.
func found(g *Guard, s *Session, text string) map[EntityType][]string {
	m := map[EntityType][]string{}
	for _, f := range g.Detect(s, text) {
		m[EntityType(f.Type)] = append(m[EntityType(f.Type)], text[f.Start:f.End])
	}
	return m
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestDetectorsFindTruePositives(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	tests := []struct {
		name string
		text string
		typ  EntityType
		want string
	}{
		{"email", "write to jane.doe+tickets@example.co.uk please", Email, "jane.doe+tickets@example.co.uk"},
		{"url", "see https://example.com/account?id=42.", URL, "https://example.com/account?id=42"},
		{"long url", "see https://example.com/reset?token=" + strings.Repeat("a1b2", 80) + " now", URL, "https://example.com/reset?token=" + strings.Repeat("a1b2", 80)},
		{"ipv4", "login from 203.0.113.7 failed", IPAddress, "203.0.113.7"},
		{"ipv6", "from 2001:db8::8a2e:370:7334 today", IPAddress, "2001:db8::8a2e:370:7334"},
		{"mac", "device 00:1A:2B:3C:4D:5E dropped", MACAddress, "00:1A:2B:3C:4D:5E"},
		{"visa spaced", "my card 4111 1111 1111 1111 was charged", CardNumber, "4111 1111 1111 1111"},
		{"amex", "amex 378282246310005", CardNumber, "378282246310005"},
		{"cvv", "the CVV is 123", CardCVV, "123"},
		{"expiry", "exp 09/27 on the card", CardExpiry, "09/27"},
		{"iban spaced", "IBAN GB82 WEST 1234 5698 7654 32 thanks", IBAN, "GB82 WEST 1234 5698 7654 32"},
		{"iban lower", "my iban is de89370400440532013000", IBAN, "de89370400440532013000"},
		{"swift", "SWIFT code DEUTDEFF500", SWIFTCode, "DEUTDEFF500"},
		{"ssn", "SSN 536-90-4399 on file", USSSN, "536-90-4399"},
		{"ssn context undashed", "social security number 536904399", USSSN, "536904399"},
		{"routing", "routing number 021000021", USBankRouting, "021000021"},
		{"uk nino", "National Insurance number AB 12 34 56 C", UKNationalInsurance, "AB 12 34 56 C"},
		{"vin", "VIN 1HGCM82633A004352 on the car", VIN, "1HGCM82633A004352"},
		{"aws access key", "key AKIAIOSFODNN7EXAMPLE leaked", AWSAccessKey, "AKIAIOSFODNN7EXAMPLE"},
		{"aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", AWSSecretKey, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		{"password", "my password is Hunter2!x", Password, "Hunter2!x"},
		{"password colon", "Password: s3cr3t", Password, "s3cr3t"},
		{"password plain word", "my password is sunshine", Password, "sunshine"},
		{"password colon word", "password: rejected", Password, "rejected"},
		{"pin", "my PIN is 4821", PIN, "4821"},
		{"username", "username: jdoe_77", Username, "jdoe_77"},
		{"driver id", "driver's license number D1234567", DriverID, "D1234567"},
		{"plate", "licence plate AB12 CDE was towed", LicensePlate, "AB12 CDE"},
		{"age", "I am 42 years old", Age, "42"},
		{"phone us", "call me at (415) 555-2671 tomorrow", Phone, "(415) 555-2671"},
		{"phone intl", "my number is +44 20 7946 0958", Phone, "+44 20 7946 0958"},
		{"phone context", "Mobile: 0490 75 40 81", Phone, "0490 75 40 81"},
		{"name cue", "Hi, my name is Marta Kowalska and I need help", Name, "Marta Kowalska"},
		{"name title", "please ask Dr. Okafor to call", Name, "Okafor"},
		{"name greeting", "Hi Priya, thanks for waiting", Name, "Priya"},
		{"name first list", "I spoke to Gregory Hale yesterday", Name, "Gregory Hale"},
		{"name initial", "signed by Stefan M. Berg", Name, "Stefan M. Berg"},
		{"name accents", "I spoke with Irenke Sörös about it", Name, "Irenke Sörös"},
		{"name sign-off", "Thanks,\nTomasz", Name, "Tomasz"},
		// rules for names no lexicon holds (the words below are made up)
		{"name person verb", "Zoltrane shouted at the courier", Name, "Zoltrane"},
		{"name pair person verb", "Quivera Tamblin lives at the corner", Name, "Quivera Tamblin"},
		{"name question", "What's your last name? Brexlow", Name, "Brexlow"},
		{"name strong ending", "the refund for the Vendrasson account", Name, "Vendrasson"},
		{"name vocative request", "Brannoc, can you call me back?", Name, "Brannoc"},
		{"name after job title", "the technician Orvald Peltz came twice", Name, "Orvald Peltz"},
		{"name possessive kin", "it was for Xandrel's wife", Name, "Xandrel"},
		{"name transcript", "Anna: hi\nJonas: hello\nZephra: is it fixed?", Name, "Zephra"},
		{"name ambiguous verb", "then Grant said it was fine", Name, "Grant"},
		{"name lower case again", "my name is olvek and everyone calls me olvek", Name, "olvek"},
		{"address us", "ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500 asap", Address, "1600 Pennsylvania Avenue NW, Washington, DC 20500"},
		{"address eu", "I live at Friedhofstrasse 33, Leipzig", Address, "Friedhofstrasse 33, Leipzig"},
		{"address unit", "Suite 400 is on the left", Address, "Suite 400"},
		{"address uk postcode", "post it to SW1A 1AA", Address, "SW1A 1AA"},
		{"po box", "send it to P.O. Box 1234", Address, "P.O. Box 1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(g, nil, tt.text)
			if !contains(got[tt.typ], tt.want) {
				t.Errorf("in %q want %s %q, found %v", tt.text, tt.typ, tt.want, got)
			}
		})
	}
}

func TestDetectorsRejectFalsePositives(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	tests := []struct {
		name string
		text string
		not  []EntityType
	}{
		{"order number", "Order 4111111111111111 shipped", []EntityType{CardNumber, Phone}},
		{"order hash", "your order #1234567890 is on its way", []EntityType{CardNumber, Phone}},
		{"bad luhn", "number 4111 1111 1111 1112", []EntityType{CardNumber}},
		{"timestamp", "at 2024-03-15 14:22:05 the sync failed", []EntityType{Phone, CardNumber, IPAddress}},
		{"date", "renewed on 15.03.2024 and 03/15/2024", []EntityType{Phone, CardNumber}},
		{"version", "after upgrading to version 10.2.3.4 the app crashed", []EntityType{IPAddress, Phone}},
		{"semver", "v2.14.1 and build 1.2.3.4567", []EntityType{IPAddress, Phone}},
		{"price", "you charged me $1,299.99 and then €2 450,00", []EntityType{Phone, CardNumber}},
		{"big amount", "total of 12,345,678 points", []EntityType{Phone, CardNumber}},
		{"invoice", "invoice INV-2024-000123 is overdue", []EntityType{Phone, CardNumber}},
		{"hyphenated id", "Invoices INV-2026-100482 and INV-2026-100483 and ref #5551234567", []EntityType{Phone, CardNumber}},
		{"ssn invalid area", "code 000-12-3456 and 666-12-3456 and 912-12-3456", []EntityType{USSSN}},
		{"capital words", "PLEASE RESPOND TO THIS CUSTOMER REQUEST", []EntityType{SWIFTCode, Name}},
		{"password word", "my password is not working", []EntityType{Password}},
		{"password reset", "I clicked the password reset link", []EntityType{Password}},
		{"password prose", "the password was rejected, then the password is expiring and the password was too weak", []EntityType{Password}},
		{"month", "On Monday in March we shipped it", []EntityType{Name}},
		{"products", "The Windows laptop and the iPhone app both fail", []EntityType{Name}},
		{"greeting team", "Hi Team, thanks Support", []EntityType{Name}},
		{"time", "call at 10:30 or 14:45", []EntityType{Phone, IPAddress, MACAddress}},
		{"short number", "I have 3 devices and 12 users", []EntityType{Phone, Age}},
		{"toll-free line", "call our support line at 1-800-892-4357", []EntityType{Phone}},
		{"flight code", "moved to DL4728 from SLC to ORD and back", []EntityType{IBAN}},
		{"via in prose", "it goes via chippenham arriving at 19", []EntityType{Address}},
		{"acronym", "please speak to EA about it", []EntityType{Name}},
		{"english suffix", "contact their Play Music team", []EntityType{Name}},
		{"status words", "Confirmed, thanks.\nPending: 22 transactions", []EntityType{Name}},
		{"german sentence", "Aus Sicherheitsgründen bitte nicht antworten.", []EntityType{Name}},
		{"sentence end", "I spoke to Patrick. Closing the ticket now.", []EntityType{}},
		{"brand pairs", "I paid with Apple Pay and exported it to Google Sheets after Windows Update ran", []EntityType{Name}},
		{"sale and city", "The Black Friday order shipped from New York to the team at Customer Success.", []EntityType{Name}},
		{"thank you line", "Thank You\nCustomer Success", []EntityType{Name}},
		{"sentence-initial words", "Unfortunately, can you check? Perfect, could you resend it? Billing said no. Amazon emailed me. Support replied today.", []EntityType{Name}},
		{"calendar words", "Will it arrive by May? Grant access to Bill in June. August is busy; Sunday works.", []EntityType{Name}},
		{"product suffix", "the Ericsson router and the Dyson fan with the Season pass", []EntityType{Name}},
		{"company subjects", "Then FedEx said it was delivered and Comcast told me to wait; Microsoft Teams asked for a code.", []EntityType{Name}},
		{"places", "We moved from Los Angeles to San Francisco, near Lake Tahoe.", []EntityType{Name}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := found(g, nil, tt.text)
			for _, typ := range tt.not {
				if len(got[typ]) > 0 {
					t.Errorf("in %q found %s %q, want none", tt.text, typ, got[typ])
				}
			}
		})
	}
}

func TestTollFreePhonesOptIn(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{TollFreePhones: true})
	if got := found(g, nil, "call 1-800-892-4357"); !contains(got[Phone], "1-800-892-4357") {
		t.Errorf("toll-free number not found with TollFreePhones: %v", got)
	}
}

func TestKnownPeopleFoundByAnyPartAndAccent(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	tk := &ticketsum.Ticket{
		ID:       "T-1",
		Customer: ticketsum.Customer{Name: "Zoë Ångström", Email: "zoe@example.org"},
		Messages: []ticketsum.Message{{Role: ticketsum.RoleAgent, Author: "Bartholomew Quirke", Body: "hi"}},
	}
	s := g.NewSession(tk)
	text := "zoe angstrom wrote in; ANGSTROM again; Quirke replied to Zoë."
	got := found(g, s, text)
	for _, want := range []string{"zoe angstrom", "ANGSTROM", "Quirke", "Zoë"} {
		if !contains(got[Name], want) {
			t.Errorf("want NAME %q, found %v", want, got[Name])
		}
	}
}
