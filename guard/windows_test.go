package guard

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// aroundRef is scan.around as it was before it skipped the snapping of
// starts and ends that cannot change a window: its specification.
func aroundRef(sc *scan, points [][2]int, before, after int) [][2]int {
	var out [][2]int
	for _, p := range points {
		s, e := p[0]-before, p[1]+after
		if s < 0 {
			s = 0
		}
		if e > len(sc.text) {
			e = len(sc.text)
		}
		for k := 0; s > 0 && k < 32 && !isSpaceByte(sc.text[s-1]); k++ {
			s--
		}
		for s > 0 && !isSpaceByte(sc.text[s-1]) && !utf8RuneStart(sc.text[s]) {
			s--
		}
		for k := 0; e < len(sc.text) && k < 32 && !isSpaceByte(sc.text[e]); k++ {
			e++
		}
		for e < len(sc.text) && !utf8RuneStart(sc.text[e]) {
			e++
		}
		if n := len(out); n > 0 && s <= out[n-1][1] {
			if e > out[n-1][1] {
				out[n-1][1] = e
			}
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return sc.split(nil, out)
}

// macCandidatesRef is macCandidates without its macMayHold test.
func macCandidatesRef(text string, runs [][2]int) [][2]int {
	var out [][2]int
	last := -1
	for _, r := range runs {
		for st := max(r[0]-15, last+1); st <= r[0] && st+17 <= len(text); st++ {
			if sep := text[st+2]; (sep == ':' || sep == '-') && macShape(text[st:st+17]) {
				out = append(out, [2]int{st, st + 17})
				last = st
			}
		}
	}
	return out
}

// longestRunRef is the length of the longest run of bytes of text[a:b]
// in the set: hasRun's specification.
func longestRunRef(text string, a, b int, set *[256]bool) int {
	best, n := 0, 0
	for i := a; i < b; i++ {
		if set[text[i]] {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// windowsDiff fails when around or macCandidates give other windows on
// text than their specifications, for the points the detectors pass and
// for random ones, sorted or not, or when hasRun differs from
// longestRunRef on its windows.
// It returns how many MAC candidates text holds.
func windowsDiff(t *testing.T, pool *sync.Pool, text string, r *rand.Rand) int {
	t.Helper()
	sc := newScan(text, nil, pool)
	defer sc.release(pool)
	want := macCandidatesRef(text, sc.runs)
	if got := macCandidates(text, sc.runs); !slices.Equal(got, want) {
		t.Fatalf("macCandidates on %q: %v, want %v", text, got, want)
	}
	var toks [][2]int
	for _, tk := range sc.toks {
		toks = append(toks, [2]int{tk.start, tk.end})
	}
	var random [][2]int
	for range r.IntN(8) {
		s := r.IntN(len(text) + 1)
		random = append(random, [2]int{s, min(s+r.IntN(4), len(text))})
	}
	sorted := slices.Clone(random)
	slices.SortFunc(sorted, func(a, b [2]int) int { return a[0] - b[0] })
	for _, pts := range [][][2]int{sc.runs, toks, random, sorted} {
		for _, ba := range [][2]int{{32, 48}, {2, 2}, {0, 0}, {120, 24}, {8, 80}, {96, 128}} {
			if got, want := sc.around(pts, ba[0], ba[1]), aroundRef(sc, pts, ba[0], ba[1]); !slices.Equal(got, want) {
				t.Fatalf("around(%v, %d, %d) on %q: %v, want %v", pts, ba[0], ba[1], text, got, want)
			}
		}
	}
	for _, w := range append(sc.around(sc.runs, 32, 48), [2]int{0, len(text)}) {
		for _, n := range []int{1, 2, 6, 17} {
			for _, set := range []*[256]bool{&upperBytes, &upperOrDigitBytes} {
				if got, want := sc.hasRun(w[0], w[1], n, set), longestRunRef(text, w[0], w[1], set) >= n; got != want {
					t.Fatalf("hasRun(%d, %d, %d) on %q: %v, want %v", w[0], w[1], n, text, got, want)
				}
			}
		}
	}
	return len(want)
}

var windowSeeds = []string{
	"", "1", "mac 00:1a:2B:3c:4d:5e and 00-1A-2B-3C-4D-5E", "aa:bb:cc:dd:ee:1f", "1a:bb:cc:dd:ee:ff:00:11", "12:34:56:78:9a:bc:de",
	"00:11:22:33:44:55:66:77:88:99", "a0-b1-c2-d3-e4-f5-06-17", "1:22:33:44:55:66:777", "ab:cd:ef:01:23:456", "0a:0b:0c:0d:0e:0f:1",
	"x 2026-12-02 10:11:12 y", "2026-03-01T08:00:07.037Z", "2026-03-01T08:00:07:ab:cd:ef", "2026-03-01T08:00:07-ab-cd-ef-ab-cd", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 2 3", "é1é2é3 ü", "1\n2\t3  4",
}

// TestWindowsMatchReference compares the window builders with their
// specifications on the guard's test texts, the development set and random
// strings of digits, hex letters, separators, spaces and multi-byte runes.
func TestWindowsMatchReference(t *testing.T) {
	t.Parallel()
	var pool sync.Pool
	r := rand.New(rand.NewPCG(13, 8))
	for _, s := range append(diffTexts(t), windowSeeds...) {
		windowsDiff(t, &pool, s, r)
	}
	pieces := []string{"0", "1", "12", "a", "F", "ab", ":", "-", " ", "\n", "x", "é", "word", "1a:", "2b-", "00:1a:2b:3c:4d:5e", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"ABCDEF", "DEUTDEFF", "1HGCM82633A00435", "2", "Z", "2026-03-01T08:00:07", "2026-03-01T", "T08:00:07"}
	macs := 0
	for range randomStrings(50_000) {
		var b []byte
		for range r.IntN(24) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		if windowsDiff(t, &pool, string(b), r) > 0 {
			macs++
		}
	}
	if macs < randomStrings(1_000) {
		t.Errorf("only %d random strings hold a MAC candidate: the test proves little", macs)
	}
	t.Logf("random strings with a MAC candidate: %d", macs)
}

// FuzzWindows compares the window builders with their specifications on
// arbitrary text.
func FuzzWindows(f *testing.F) {
	for _, s := range windowSeeds {
		f.Add(s)
	}
	var pool sync.Pool
	f.Fuzz(func(t *testing.T, s string) {
		windowsDiff(t, &pool, s, rand.New(rand.NewPCG(uint64(len(s)), 1)))
	})
}
