package eval

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
)

// Perturbation is a change to a ticket's text that should not change its
// summary, after the perturbations of Amazon Bedrock's robustness metric.
// Apply must depend only on text and rng, so that a seed repeats a run.
type Perturbation struct {
	Name  string
	Apply func(text string, rng *rand.Rand) string
}

// Perturbations returns the five perturbations robustness runs apply:
// lower-casing, keyboard typos, numbers written as words, random
// upper-casing and extra or missing whitespace.
func Perturbations() []Perturbation {
	return []Perturbation{
		{Name: "lowercase", Apply: func(s string, _ *rand.Rand) string { return strings.ToLower(s) }},
		{Name: "typos", Apply: typos},
		{Name: "numbers-as-words", Apply: func(s string, _ *rand.Rand) string { return numbersAsWords(s) }},
		{Name: "random-uppercase", Apply: randomUpper},
		{Name: "whitespace", Apply: whitespace},
	}
}

// Perturb returns a copy of t with p applied to its subject and every
// message body. The randomness is seeded by seed, the ticket id and the
// perturbation's name, so the same arguments give the same ticket.
func Perturb(t *ticketsum.Ticket, p Perturbation, seed uint64) *ticketsum.Ticket {
	h := sha256.Sum256([]byte(t.ID + "\x00" + p.Name))
	rng := rand.New(rand.NewPCG(seed, binary.BigEndian.Uint64(h[:8])))
	c := *t
	c.Subject = p.Apply(t.Subject, rng)
	c.Messages = make([]ticketsum.Message, len(t.Messages))
	for i, m := range t.Messages {
		m.Body = p.Apply(m.Body, rng)
		c.Messages[i] = m
	}
	return &c
}

// keyboard holds each letter's neighbours on a QWERTY keyboard.
var keyboard = map[rune]string{
	'q': "wa", 'w': "qeas", 'e': "wrds", 'r': "etdf", 't': "ryfg", 'y': "tugh", 'u': "yihj", 'i': "uojk",
	'o': "ipkl", 'p': "ol", 'a': "qwsz", 's': "awedxz", 'd': "serfcx", 'f': "drtgvc", 'g': "ftyhbv",
	'h': "gyujnb", 'j': "huikmn", 'k': "jiolm", 'l': "kop", 'z': "asx", 'x': "zsdc", 'c': "xdfv",
	'v': "cfgb", 'b': "vghn", 'n': "bhjm", 'm': "njk",
}

// typos replaces one letter of about one word in ten (words of four letters
// or more) with a neighbouring key.
func typos(s string, rng *rand.Rand) string {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		if j-i >= 4 && rng.IntN(10) == 0 {
			k := i + 1 + rng.IntN(j-i-1)
			lower := unicode.ToLower(rs[k])
			if nb, ok := keyboard[lower]; ok {
				r := rune(nb[rng.IntN(len(nb))])
				if unicode.IsUpper(rs[k]) {
					r = unicode.ToUpper(r)
				}
				rs[k] = r
			}
		}
		i = max(j, i+1)
	}
	return string(rs)
}

// randomUpper upper-cases about one letter in ten.
func randomUpper(s string, rng *rand.Rand) string {
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsLower(r) && rng.IntN(10) == 0 {
			rs[i] = unicode.ToUpper(r)
		}
	}
	return string(rs)
}

// whitespace doubles about one space in eight and drops about one in
// twenty-five, joining two words.
func whitespace(s string, rng *rand.Rand) string {
	var b strings.Builder
	for _, r := range s {
		if r == ' ' {
			switch n := rng.IntN(200); {
			case n < 25:
				b.WriteString("  ")
				continue
			case n < 33:
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// spell writes 0 to 9999 in English words.
func spell(n int) string {
	switch {
	case n < 20:
		return ones[n]
	case n < 100:
		if n%10 == 0 {
			return tens[n/10]
		}
		return tens[n/10] + "-" + ones[n%10]
	case n < 1000:
		if n%100 == 0 {
			return ones[n/100] + " hundred"
		}
		return ones[n/100] + " hundred " + spell(n%100)
	}
	if n%1000 == 0 {
		return ones[n/1000] + " thousand"
	}
	return ones[n/1000] + " thousand " + spell(n%1000)
}

// numbersAsWords writes standalone whole numbers of one to four digits as
// words ("3 days" becomes "three days"); numbers inside codes, versions,
// amounts with separators and times ("X200", "4.2", "1,500", "10:30") are
// left alone.
func numbersAsWords(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		standalone := j-i <= 4 && (i == 0 || !attached(s[i-1])) && (j == len(s) || !attached(s[j]) ||
			(s[j] == '.' || s[j] == ',') && (j+1 == len(s) || s[j+1] == ' ' || s[j+1] == '\n'))
		if standalone {
			n := 0
			for _, c := range s[i:j] {
				n = n*10 + int(c-'0')
			}
			b.WriteString(spell(n))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// attached reports whether c joins a number to the text around it.
func attached(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".,:/-_#$€£%", c) >= 0 || c >= 0x80
}
