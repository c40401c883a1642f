package guard

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// assignAfterRef is assignAfter as first written, with strings.IndexByte:
// the specification of its byte table.
func assignAfterRef(lower string, end int) bool {
	for j := end; j < len(lower) && j-end <= 24; j++ {
		switch c := lower[j]; {
		case strings.IndexByte("=:>,|?", c) >= 0:
			return true
		case byteClass[c] == bLetter || byteClass[c] == bDigit || strings.IndexByte(" \t\n\r._-'\"", c) >= 0:
		default:
			return false
		}
	}
	return false
}

// secretKWDiff fails when the secret rules' keywords that detectSecrets
// takes inside a window from the scan's one keyword pass (hitsIn over
// scan.secKW) differ from those an automaton of the rule keywords alone
// finds in the window, as detectSecrets searched each window before; for
// detectSecrets' own windows, the whole text and random ones. It returns
// how many rule keywords the text holds.
func secretKWDiff(t *testing.T, pool *sync.Pool, ref *kwMatcher, text string, r *rand.Rand) int {
	t.Helper()
	set, err := compiledSecretRules()
	if err != nil {
		t.Fatal(err)
	}
	sc := newScan(text, nil, pool)
	defer sc.release(pool)
	wins := append(sc.around(secretCandidates(nil, sc.text, sc.toks), secretBefore, 2), [2]int{0, len(text)})
	for range 8 {
		a := r.IntN(len(text) + 1)
		wins = append(wins, [2]int{a, a + r.IntN(len(text)-a+1)})
	}
	byPlace := func(a, b kwHit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.id, b.id)) }
	for _, w := range wins {
		want, _ := ref.find(nil, nil, sc.lower[w[0]:w[1]])
		for i := range want {
			want[i].start += int32(w[0])
		}
		got := set.hitsIn(nil, sc.secKW, w)
		slices.SortFunc(got, byPlace)
		slices.SortFunc(want, byPlace)
		if !slices.Equal(got, want) {
			t.Fatalf("rule keywords in %v of %q: %v, want %v", w, text, got, want)
		}
	}
	for end := 0; end <= len(text); end++ {
		if got, want := assignAfter(sc.lower, end), assignAfterRef(sc.lower, end); got != want {
			t.Fatalf("assignAfter(%q, %d) = %v, want %v", sc.lower, end, got, want)
		}
	}
	return len(sc.secKW)
}

// secretRefMatcher returns an automaton of the secret rules' keywords alone.
func secretRefMatcher(t testing.TB) *kwMatcher {
	set, err := compiledSecretRules()
	if err != nil {
		t.Fatal(err)
	}
	return newKWMatcher(set.words, nil)
}

var secretKWSeeds = []string{
	"", "k", "api_key = sk_live_0123456789abcdef", "KEY: token=ey", "password: 'hunter22xx' curl -u a:b https://x",
	"-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END", "ghp_0123456789012345678901234567890123456789 s.", "taskey askey desk sk",
}

// TestSecretKeywordsOnePass compares the rule keywords taken from the one
// keyword pass with those a search of each window finds, and assignAfter
// with its specification, on the guard's test texts, the development set,
// every byte value and random strings of keyword pieces.
func TestSecretKeywordsOnePass(t *testing.T) {
	t.Parallel()
	var pool sync.Pool
	ref := secretRefMatcher(t)
	r := rand.New(rand.NewPCG(13, 9))
	texts := append(diffTexts(t), secretKWSeeds...)
	for c := range 256 {
		texts = append(texts, "key "+string(rune(c))+"=x", "secret"+string([]byte{byte(c)})+": 12345678")
	}
	for _, s := range texts {
		secretKWDiff(t, &pool, ref, s, r)
	}
	set, _ := compiledSecretRules()
	pieces := append(slices.Clone(set.words), "=", ":", " ", "_", "-", "\n", "'", "\"", "x", "é", "1", "K", "API", "Token", "abcdefgh12", "ey")
	found := 0
	for range randomStrings(20_000) {
		var b []byte
		for range r.IntN(16) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		if secretKWDiff(t, &pool, ref, string(b), r) > 1 {
			found++
		}
	}
	if found < randomStrings(1_000) {
		t.Errorf("only %d random strings hold two rule keywords: the test proves little", found)
	}
}

// FuzzSecretKeywords is TestSecretKeywordsOnePass on arbitrary text.
func FuzzSecretKeywords(f *testing.F) {
	for _, s := range secretKWSeeds {
		f.Add(s)
	}
	var pool sync.Pool
	ref := secretRefMatcher(f)
	f.Fuzz(func(t *testing.T, s string) {
		secretKWDiff(t, &pool, ref, s, rand.New(rand.NewPCG(uint64(len(s)), 2)))
	})
}
