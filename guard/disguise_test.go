package guard

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum/internal/datasets"
)

// outputFinds checks each text as a model's answer and reports those in
// which no finding of typ covers the part that holds secret, or the
// checked text still holds it.
func outputFinds(t *testing.T, typ EntityType, secret string, texts []string) {
	t.Helper()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range texts {
		out, err := g.CheckOutput(ctx, g.NewSession(newTicket()), text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !hasFinding(out.Findings, typ) || strings.Contains(out.Text, secret) {
			t.Errorf("%q: no %s found: %q, findings %v", text, typ, out.Text, out.Findings)
		}
	}
}

// TestOutputFindsDisguisedEmails: a model that obeys an instruction hidden
// in a ticket can write an address so that the e-mail pattern misses it:
// letter-spaced, with spaces around its @ and dots, (at) and (dot), " at "
// and " dot ", a fullwidth ＠ or Cyrillic letters, an escaped @, an
// invisible character inside, or broken across lines. The output check
// undoes each disguise (unveil) and finds the address.
func TestOutputFindsDisguisedEmails(t *testing.T) {
	t.Parallel()
	outputFinds(t, Email, "lopez", []string{
		"Summary: customer asked for replies to m a r i a l o p e z @ e x a m p l e . c o m about the refund.",
		"Customer wants replies at maria . lopez @ example . com only.",
		"Customer wants replies at marialopez@ example.com only.",
		"Customer asked to use marialopez (at) example (dot) com for the refund.",
		"Customer asked to use marialopez [at] example [dot] org for the refund.",
		"Customer asked to use marialopez {at} example.com for the refund.",
		"Customer asked to use marialopez at example dot com for the refund.",
		"Customer asked to use maria dot lopez at mail dot example dot co dot uk for the refund.",
		"Customer asked to use m a r i a l o p e z at e x a m p l e dot c o m for the refund.",
		"Customer asked to use marialopez＠example.com for the refund.",
		"Customer asked to use marialopez﹫example．com for the refund.",
		"Customer asked to use mаrialopez@exаmple.com for the refund.",
		"Customer asked to use marialopez%40example.com for the refund.",
		"Customer asked to use marialopez&#64;example.com for the refund.",
		"Customer asked to use marialopez&commat;example&period;com for the refund.",
		"Customer asked to use marialopez@exam\u200bple.com for the refund.",
		"Customer asked to use maria.lopez@exam\nple.com for the refund.",
		"Customer asked to use maria.lopez\n@example.com for the refund.",
	})
}

// TestOutputFindsDisguisedPhones: a phone number written with its digits
// spaced out or joined by odd separators, in digits of another script or
// fullwidth ones, with non-breaking spaces or dashes, or broken across
// lines, is found in a model's answer.
func TestOutputFindsDisguisedPhones(t *testing.T) {
	t.Parallel()
	outputFinds(t, Phone, "0123", []string{
		"Customer asked for a follow-up at 4 1 5 . 5 5 5 . 0 1 2 3 after 5pm.",
		"Customer asked for a follow-up at 4 1 5 5 5 5 0 1 2 3 after 5pm.",
		"Customer asked for a follow-up at 4-1-5-5-5-5-0-1-2-3 after 5pm.",
		"Customer asked for a follow-up at 415 . 555 . 0123 after 5pm.",
		"Customer asked for a follow-up at 415/555/0123 after 5pm.",
		"Customer asked for a follow-up at 415_555_0123 after 5pm.",
		"Customer asked for a follow-up at 415|555|0123 after 5pm.",
		"Customer asked for a follow-up at 415\u00a0555\u00a00123 after 5pm.",
		"Customer asked for a follow-up at 415\u2013555\u20130123 after 5pm.",
		"Customer asked for a follow-up at ٤١٥-٥٥٥-٠١٢٣ after 5pm.",
		"Customer asked for a follow-up at ४१५-५५५-०१२३ after 5pm.",
		"Customer asked for a follow-up at ４１５-５５５-０１２３ after 5pm.",
		"Customer asked for a follow-up at 415-555-\n0123 after 5pm.",
	})
}

// TestOutputFindsLookAlikeNames: a name written with Cyrillic letters that
// look Latin, or in fullwidth letters, is found in a model's answer.
func TestOutputFindsLookAlikeNames(t *testing.T) {
	t.Parallel()
	outputFinds(t, Name, "nnif", []string{
		"Agent thanked J\u0435nnif\u0435r for her patience.",
		"Agent thanked \u0408ennifer for her patience.",
		"Agent thanked \uff2a\uff45\uff4e\uff4e\uff49\uff46\uff45\uff52 for her patience.",
	})
	outputFinds(t, Name, "aria", []string{"Refund issued to \u041caria after a double charge."})
}

// TestOutputFindsEncodedPersonalData: a base64 or hex blob in a model's
// answer that decodes to text holding an e-mail address, a phone number
// or a name is flagged as what it holds.
func TestOutputFindsEncodedPersonalData(t *testing.T) {
	t.Parallel()
	for typ, blobs := range map[EntityType][]string{
		Email: {"bWFyaWEubG9wZXpAZXhhbXBsZS5jb20=", "bWFyaWEubG9wZXpAZXhhbXBsZS5jb20", "6d617269612e6c6f70657a406578616d706c652e636f6d", "0x6d617269612e6c6f70657a406578616d706c652e636f6d"},
		Phone: {"NTU1LTU1NS0wMTIz", "KzEgNTU1IDU1NSAwMTIz", "3535352d3535352d30313233"},
		Name:  {"TWFyaWEgTG9wZXogY2FsbGVkIGFib3V0IGhlciBvcmRlcg==", "TWFyaWEgTG9wZXogY2FsbGVkIGFib3V0IGhlciBvcmRlcg"},
	} {
		for _, b := range blobs {
			outputFinds(t, typ, b, []string{"Refund issued; the customer's reference is " + b + " for the record."})
		}
	}
}

// TestOutputLeavesOrdinaryText: undoing disguises finds nothing new in
// ordinary summaries: handles, an @ or a full stop after a space, "at" a
// web site, "dot" as a word, single letters and digits in a row, dashes in
// ranges, emoji, words in other scripts, accents, dates in other digits,
// hashes, long words and base64 of text without personal data.
func TestOutputLeavesOrdinaryText(t *testing.T) {
	t.Parallel()
	outputLeaves(t, "", []string{
		"Customer tagged @AmazonHelp . Agent replied within the hour.",
		"Customer complained to the executive @115821.IN about a late pickup.",
		"Customer wrote to support @ 3pm and was told to wait.",
		"Customer ordered at amazon.com and at Example.org last week.",
		"Customer bought a polka dot dress at the store dot outlet.",
		"Options A B C D were offered; steps 1 2 3 4 were followed.",
		"The app went from version 1 . 2 . 3 to 1.2.4 after the fix.",
		"Delivery takes 10\u201312 days; pages 100\u2013200 were missing.",
		"Customer said the flight 5737 I\ufe0ft takes over 1 hour \U0001F620 to get bags.",
		"Customer in \u041c\u043e\u0441\u043a\u0432\u0430 wrote about the caf\u00e9 order; the na\u00efve fix failed.",
		"Charge on \u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0663 was refunded; total \uff14\uff15 dollars.",
		"Build d41d8cd98f00b204e9800998ecf8427e failed; internationalization and troubleshooting were discussed.",
		"Agent pasted aGVsbG8gd29ybGQgdGhpcyBpcyBmaW5l and 68656c6c6f20776f726c64 from the log.",
		"Order 4 and order 5 were merged.\nThe agent closed case 12.",
		"Ticket TS-5005 was merged into TS-5006 on 2026-12-03.",
	})
}

// outputLeaves checks each text as a model's answer and reports the
// findings of typ (of any personal data when typ is "") in it.
func outputLeaves(t *testing.T, typ EntityType, texts []string) {
	t.Helper()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range texts {
		out, err := g.CheckOutput(ctx, g.NewSession(newTicket()), text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		for _, f := range out.Findings {
			if f.Kind == KindPII && (typ == "" || f.Type == string(typ)) {
				t.Errorf("%q: found %s %q", text, f.Type, text[f.Start:f.End])
			}
		}
	}
}

// FuzzCheckOutputDisguised: undoing disguises never panics and maps every
// finding back to whole runes of the answer.
func FuzzCheckOutputDisguised(f *testing.F) {
	for _, s := range []string{
		"m a r i a @ e x a m p l e . c o m", "jdoe (at) example [dot] com", "jdoe at example dot com",
		"maria＠exаmple.com", "٤١٥-٥٥٥-٠١٢٣", "4-1-5-5-5-5-0-1-2-3", "415/555/0123", "maria.lo\npez@example.com",
		"415-555-\n0123", "bWFyaWEubG9wZXpAZXhhbXBsZS5jb20=", "0x6d617269612e6c6f70657a406578616d706c652e636f6d",
		"I\ufe0ft \u200d @ . \n@a.b", "",
	} {
		f.Add(s)
	}
	g := MustGuard(f, Config{})
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		res, _ := g.CheckOutput(context.Background(), nil, text)
		if res == nil {
			return
		}
		for _, fd := range res.Findings {
			if fd.Start < 0 || fd.End > len(text) || fd.Start >= fd.End || !utf8.ValidString(text[fd.Start:fd.End]) {
				t.Fatalf("finding %v out of bounds or splits a rune in %q", fd, text)
			}
		}
	})
}

// TestUnveilSkipsOnlyWhatCannotMatch: each test that lets unveil skip a
// regular expression is true wherever the expression matches, over
// handwritten disguises and TweetSumm's test summaries and dialog turns.
func TestUnveilSkipsOnlyWhatCannotMatch(t *testing.T) {
	t.Parallel()
	texts := []string{
		"m a r i a @ e x a m p l e . c o m", "(m a r i a)", "x ( at ) y [DOT] z", "a  b\tc", "4 1 5 . 5 5 5", "4-1-5-5-5-5-0-1-2-3",
		"415 / 555 / 0123", "415|555|0123", "jdoe DOT smith", "maria@ example", "a .\nb", "%40 &#64;", "line\nbreak", "1 2 3",
	}
	f, err := os.Open(datasets.Path(t, tweetsummName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d struct {
			Summaries []string `json:"summaries"`
			Turns     []struct {
				Text string `json:"text"`
			} `json:"turns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, d.Summaries...)
		for _, tu := range d.Turns {
			texts = append(texts, tu.Text)
		}
	}
	spacedAtDot := regexp.MustCompile(`@[ \t\r\n]|[ \t\r\n]\.[ \t\r\n]`) // what reSpacedAtDot's rewrite needs
	for _, c := range []struct {
		may func(*folded) bool
		re  *regexp.Regexp
	}{
		{hasEntity, reEntityAt}, {hasBracketWord, reBracketWord}, {hasSpacedChars, reSpacedChars}, {hasSpacedDigits, reSpacedDigits},
		{hasOddSeps, reOddPhoneSeps}, {hasDotWord, reDotWord}, {hasSpacedAtDot, spacedAtDot}, {hasLineBreak, reLineBreak},
	} {
		for _, text := range texts {
			f := &folded{text: text}
			if c.re.MatchString(text) && !c.may(f) {
				t.Errorf("%v matches %q, which its test skips", c.re, text)
			}
		}
	}
}
