package guard

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// TestLowerASCII compares lowerASCII, eight bytes at a time, with
// lowerByte applied to each byte: every byte value at every position of a
// word, and random strings of every length up to 40.
func TestLowerASCII(t *testing.T) {
	check := func(in []byte) {
		t.Helper()
		got := append([]byte(nil), in...)
		lowerASCII(got)
		for i, c := range in {
			if got[i] != lowerByte[c] {
				t.Fatalf("lowerASCII(%q)[%d] = %#x, want %#x", in, i, got[i], lowerByte[c])
			}
		}
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 9; pos++ {
			in := []byte("aZ@[`{\x7f\x80\xffQ")
			in[pos] = byte(c)
			check(in)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		in := make([]byte, r.IntN(41))
		for i := range in {
			in[i] = byte(r.IntN(256))
		}
		check(in)
	}
}

// TestNonASCII compares nonASCII, eight bytes at a time, with a test of
// each byte: a byte of every value at every position of strings of every
// length up to 20.
func TestNonASCII(t *testing.T) {
	for n := 0; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				if got, want := nonASCII(string(b)), c >= 0x80; got != want {
					t.Fatalf("nonASCII(%q) = %v, want %v", b, got, want)
				}
			}
		}
		if nonASCII(strings.Repeat("\x7f", n)) {
			t.Fatalf("nonASCII of %d DEL bytes is true", n)
		}
	}
}

// TestLowerWithOffsets: the lower-case copy is strings.ToLower's, and each
// of its bytes points at the rune of text it came from, for runes whose
// lower case is shorter ('İ', the Kelvin and Ohm signs, 'ẞ') or as long.
func TestLowerWithOffsets(t *testing.T) {
	for _, text := range []string{"", "abc", "İstanbul", "5 \u212a and \u2126", "ẞtraße Ä", "a\u0130b\u212ac"} {
		lower, at := lowerWithOffsets(text)
		if lower != strings.ToLower(text) {
			t.Errorf("lowerWithOffsets(%q) = %q, want %q", text, lower, strings.ToLower(text))
		}
		if len(at) != len(lower)+1 || at[len(lower)] != len(text) {
			t.Fatalf("lowerWithOffsets(%q): %d offsets ending at %v, want %d ending at %d", text, len(at), at, len(lower)+1, len(text))
		}
		for i, r := range text { // each rune's lower case starts at its own offset
			j := strings.Index(lower, strings.ToLower(string(r)))
			for j >= 0 && at[j] != i {
				k := strings.Index(lower[j+1:], strings.ToLower(string(r)))
				if k < 0 {
					j = -1
					break
				}
				j += 1 + k
			}
			if j < 0 {
				t.Errorf("lowerWithOffsets(%q): no byte points at the rune %q at %d (offsets %v)", text, r, i, at)
			}
		}
	}
}

// TestRunesLowerToASCII finds every rune beyond ASCII whose lower case
// (unicode.ToLower, as strings.ToLower applies it) is ASCII: asciiLowerFinds
// relies on there being only 'İ' and the Kelvin sign.
func TestRunesLowerToASCII(t *testing.T) {
	var got []rune
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if unicode.ToLower(r) < utf8.RuneSelf {
			got = append(got, r)
		}
	}
	if want := []rune{'\u0130', '\u212a'}; !slices.Equal(got, want) {
		t.Fatalf("runes that lower-case to ASCII: %U, want %U", got, want)
	}
}

// TestKnownEmailsWithoutOffsets compares the known e-mail addresses found in
// the ASCII-lower-cased text (asciiLowerFinds) with those found through
// lowerWithOffsets (noPrefilters), on random texts beyond ASCII made of
// the addresses in other cases, the runes whose lower case is shorter or
// ASCII, accented letters and separators, for ASCII and non-ASCII known
// addresses. Not parallel: it flips a package variable.
func TestKnownEmailsWithoutOffsets(t *testing.T) {
	g := MustGuard(t, Config{})
	defer func() { noPrefilters = false }()
	people := []ticketsum.Customer{{Email: "ayse.kaya@example.com"}, {Email: "jörg@exämple.de"}, {Email: "ik@x.io"}}
	pieces := []string{"ayse.kaya@example.com", "AYSE.KAYA@EXAMPLE.COM", "Ayse.\u212aaya@example.com", "ayse.kaya@example.com.",
		"jörg@exämple.de", "JÖRG@EXÄMPLE.DE", "\u0130k@x.io", "ik@x.io", "IK@X.IO", "\u0130", "\u212a", "ẞ", "é", "ß", "İstanbul", " ", "\n", ", ",
		"write to ", "x", "@", "."}
	r := rand.New(rand.NewPCG(13, 11))
	found := 0
	for range randomStrings(20_000) {
		var b strings.Builder
		b.WriteString("é ")
		for range r.IntN(10) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := b.String()
		tk := &ticketsum.Ticket{ID: "T", Customer: people[r.IntN(len(people))]}
		s := g.NewSession(tk)
		noPrefilters = true
		want := g.Detect(s, text)
		noPrefilters = false
		got := g.Detect(s, text)
		if !slices.Equal(got, want) {
			t.Fatalf("Detect(%q) with %s known: %v, want %v", text, tk.Customer.Email, got, want)
		}
		for _, f := range got {
			if f.Type == string(Email) {
				found++
				break
			}
		}
	}
	if found < randomStrings(1_000) {
		t.Fatalf("only %d texts with a known address found: the test proves little", found)
	}
	t.Logf("%d texts with a known address found, identical", found)
}

// TestFoldASCII compares fold's path for ASCII strings (asciiLower) with
// its rune at a time path (foldRunes): every ASCII byte at every position
// of a word, and random ASCII strings up to 40 bytes.
func TestFoldASCII(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := fold(s), foldRunes(s); got != want {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
	}
	for c := 0; c < utf8.RuneSelf; c++ {
		for pos := 0; pos < 6; pos++ {
			b := []byte("Ab z[Z")
			b[pos] = byte(c)
			check(string(b))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, r.IntN(41))
		for i := range b {
			b[i] = byte(r.IntN(utf8.RuneSelf))
		}
		check(string(b))
	}
}
