package guard

import (
	"math/rand/v2"
	"strings"
	"testing"
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
