package guard

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum/sample"
)

// prefilters are the cheap window conditions put before a regular
// expression; each must be a necessary condition: the pattern finds exactly
// the same matches on the windows it keeps as on all of them.
var prefilters = []struct {
	name string
	re   *regexp.Regexp
	ok   func(sc *scan) func(a, b int) bool
}{
	{"addrNumFirst", reAddrNumFirst, func(sc *scan) func(a, b int) bool { return sc.mayNumFirst }},
	{"addrWordsNumType", reAddrWordsNumType, func(sc *scan) func(a, b int) bool { return sc.mayWordsNumType }},
	{"addrNumWordNum", reAddrNumWordNum, func(sc *scan) func(a, b int) bool { return sc.mayNumWordNum }},
	{"ukni", reUKNI, func(sc *scan) func(a, b int) bool { return sc.mayUKNI }},
}

// prefilterDiff runs every prefiltered pattern over text with and without
// its prefilter, on the street-word windows the detector uses and on every
// line of the text, and reports the first difference.
func prefilterDiff(t *testing.T, lx *lexicon, pool *sync.Pool, text string) {
	t.Helper()
	sc := newScan(text, lx, pool)
	defer sc.release(pool)
	var pts [][2]int
	for _, tk := range sc.toks {
		if tk.is(lxStreet) {
			pts = append(pts, [2]int{tk.start, tk.end})
		}
	}
	var lines [][2]int
	for s := 0; s < len(text); {
		e := strings.IndexByte(text[s:], '\n')
		if e < 0 {
			e = len(text) - s
		}
		lines = append(lines, [2]int{s, s + e})
		s += e + 1
	}
	for _, wins := range [][][2]int{sc.around(pts, 120, 24), sc.around(numberThenCapital(text, sc.runs), 8, 80), lines} {
		for _, p := range prefilters {
			all := sc.in(p.re, wins)
			kept := sc.in(p.re, sc.keep(slices.Clone(wins), p.ok(sc)))
			if !slices.EqualFunc(all, kept, slices.Equal) {
				t.Fatalf("%s: prefilter changes matches on %q: %v, want %v", p.name, text, kept, all)
			}
		}
	}
}

// prefilterTexts returns the test threads, the sample tickets' subjects and
// messages and, when the dataset is there, the Presidio texts.
func prefilterTexts(t *testing.T) []string {
	var texts []string
	for _, f := range []string{"thread.txt", "prose.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	// Addresses of the shapes the prefilters guard, so that the test
	// proves something without the Presidio dataset too.
	b, err := os.ReadFile(filepath.Join("testdata", "addresses.txt"))
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	tickets, err := sample.Tickets()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		texts = append(texts, tk.Subject)
		for _, m := range tk.Messages {
			texts = append(texts, m.Body)
		}
	}
	if _, err := os.Stat(presidioFile()); err == nil {
		for _, d := range loadPresidio(t) {
			texts = append(texts, d.Text)
		}
	} else {
		t.Logf("presidio dataset not found (%v): sample tickets only", err)
	}
	return texts
}

// TestPrefiltersSameFindings compares the guard's findings with the
// prefilters on and off (the old path) on every text. Not parallel: it
// flips a package variable, and parallel tests start only after it ends.
func TestPrefiltersSameFindings(t *testing.T) {
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	texts := prefilterTexts(t)
	defer func() { noPrefilters = false }()
	n := 0
	for _, text := range texts {
		noPrefilters = true
		old := g.Detect(nil, text)
		noPrefilters = false
		got := g.Detect(nil, text)
		if !slices.Equal(old, got) {
			t.Fatalf("findings differ on %q:\n got %v\nwant %v", text, got, old)
		}
		n += len(got)
	}
	if n == 0 {
		t.Fatal("no findings at all: the comparison proves nothing")
	}
	t.Logf("%d texts, %d findings, identical", len(texts), n)
}

// TestPrefiltersKeepMatches is the differential test of the prefilters on
// the Presidio texts, the sample tickets and the test threads.
func TestPrefiltersKeepMatches(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	texts := prefilterTexts(t)
	var pool sync.Pool
	matched := 0
	for _, text := range texts {
		prefilterDiff(t, g.lx, &pool, text)
		if reAddrNumFirst.MatchString(text) || reAddrWordsNumType.MatchString(text) || reAddrNumWordNum.MatchString(text) {
			matched++
		}
	}
	if matched < 10 {
		t.Fatalf("only %d of %d texts hold a prefiltered address: the test proves little", matched, len(texts))
	}
	t.Logf("%d texts, %d with a prefiltered address match", len(texts), matched)
}

// FuzzPrefilters checks the prefilters' necessity on arbitrary text.
func FuzzPrefilters(f *testing.F) {
	for _, s := range []string{
		"221 Baker Street, Apt. 4B\nSpringfield, IL 62704",
		"12a, 3 Long Lane", "1234567 Main Street", "x12 Main St", "Hoge Wei 32 St.",
		"Pärna 33 street", "4 nights in a row", "9721 Dalmatinova 43", "No. 7,Rose Way",
		"Ünïcödé 12 Straße", "123456 Ring 1", "12\u00a0High Road", "",
		"NI number AB 12 34 56 C", "qq123456d", "xAB123456C", "2026-12-03T10:22:33", "\u212aA 12 34 56 A", "ſT12 3456 B",
	} {
		f.Add(s)
	}
	g := MustGuard(f, Config{})
	var pool sync.Pool
	f.Fuzz(func(t *testing.T, text string) {
		prefilterDiff(t, g.lx, &pool, text)
	})
}

// BenchmarkPrefilters checks the dense thread and the sample tickets with
// the prefilters off (the old path) and on, alternately in one process, so
// that both halves see the same load: go test -bench Prefilters -count 6.
func BenchmarkPrefilters(b *testing.B) {
	for _, off := range []bool{true, false} {
		name := "on"
		if off {
			name = "off"
		}
		b.Run("dense/"+name, func(b *testing.B) {
			noPrefilters = off
			defer func() { noPrefilters = false }()
			benchCheck(b, "thread.txt", 9_000)
		})
		b.Run("sample/"+name, func(b *testing.B) {
			noPrefilters = off
			defer func() { noPrefilters = false }()
			BenchmarkCheckSampleTickets(b)
		})
	}
}

// TestPhoneValidOneCall checks that one GetNumberType call gives the same
// validity and toll-free answer as IsValidNumber then GetNumberType, on
// every phone-shaped number of the test texts, in the US region and as
// international numbers.
func TestPhoneValidOneCall(t *testing.T) {
	p := &phoneDetector{region: "US"}
	n, valid := 0, 0
	extra := []string{"+1 800 555 0100", "0800 123 4567", "+44 20 7946 0958", "+999 1234567", "+1 415-555-2671", "00 49 30 1234567"}
	for _, text := range append(prefilterTexts(t), extra...) {
		for _, m := range rePhone.FindAllString(text, -1) {
			if len(digitsOf(m)) < 7 {
				continue
			}
			for _, intl := range []bool{false, true} {
				noPrefilters = true
				v0, f0 := p.valid(m, intl)
				noPrefilters = false
				v1, f1 := p.valid(m, intl)
				if v0 != v1 || f0 != f1 {
					t.Fatalf("valid(%q, %v) = %v, %v; the old path says %v, %v", m, intl, v1, f1, v0, f0)
				}
				n++
				if v1 {
					valid++
				}
			}
		}
	}
	if valid == 0 || valid == n {
		t.Fatalf("%d of %d numbers valid: the comparison proves little", valid, n)
	}
	t.Logf("%d numbers, %d valid, same answers", n, valid)
}

// BenchmarkPhoneValid is the validity test alone, old path (off) and new
// (on), on the numbers of the bundled test threads.
func BenchmarkPhoneValid(b *testing.B) {
	var nums []string
	for _, f := range []string{"thread.txt", "prose.txt"} {
		t, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range rePhone.FindAllString(string(t), -1) {
			if len(digitsOf(m)) >= 7 {
				nums = append(nums, m)
			}
		}
	}
	p := &phoneDetector{region: "US"}
	for _, off := range []bool{true, false} {
		name := "on"
		if off {
			name = "off"
		}
		b.Run(name, func(b *testing.B) {
			noPrefilters = off
			defer func() { noPrefilters = false }()
			for b.Loop() {
				for _, n := range nums {
					p.valid(n, strings.HasPrefix(n, "+"))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(nums)), "ns/number")
		})
	}
}

// TestKeepLeavesWindows checks that keep does not filter its input in
// place: the address detector passes the same street windows to two
// patterns, and the second must see all of them.
func TestKeepLeavesWindows(t *testing.T) {
	t.Parallel()
	sc := &scan{}
	wins := [][2]int{{0, 1}, {2, 3}, {4, 5}}
	kept := sc.keep(wins, func(a, _ int) bool { return a > 0 })
	if want := [][2]int{{2, 3}, {4, 5}}; !slices.Equal(kept, want) {
		t.Fatalf("kept %v, want %v", kept, want)
	}
	if want := [][2]int{{0, 1}, {2, 3}, {4, 5}}; !slices.Equal(wins, want) {
		t.Fatalf("keep changed its input to %v", wins)
	}
}

// TestUKNIKeep checks mayUKNI's necessity on random strings of the pieces
// of UK National Insurance numbers, timestamps and look-alikes, on the
// windows the detector builds and on every line (prefilterDiff).
func TestUKNIKeep(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	var pool sync.Pool
	pieces := []string{"AB", "ab", "QQ", "\u212a", "ſ", "T", "x", " ", "  ", "\n", "12", "34", "5", "56", "123456", "C", "d", "E", "-", ":",
		"2026-12-03T10:22:33", "é", "NI number ", "."}
	r := rand.New(rand.NewPCG(13, 12))
	matched := 0
	for range randomStrings(30_000) {
		var b strings.Builder
		for range r.IntN(16) {
			if r.IntN(4) > 0 {
				b.WriteString(pieces[r.IntN(len(pieces))])
				continue
			}
			// a number that may be one: two letters, three pairs, a letter,
			// each optional space there or not
			for k, part := range []string{[]string{"AB", "ce", "\u212aA", "ſT", "QQ", "BG", "A"}[r.IntN(7)], "12", "34", "56", []string{"A", "c", "d", "E", "1"}[r.IntN(5)]} {
				if k > 0 && r.IntN(2) == 0 {
					b.WriteByte(' ')
				}
				b.WriteString(part)
			}
		}
		text := b.String()
		prefilterDiff(t, g.lx, &pool, text)
		sc := newScan(text, g.lx, &pool)
		if len(sc.inClusters(ukniShape, 4, 4, 6, 0, sc.mayUKNI)) > 0 {
			matched++
		}
		sc.release(&pool)
	}
	if matched < randomStrings(1_000) {
		t.Fatalf("only %d random strings hold a UK NI number: the test proves little", matched)
	}
	t.Logf("random strings with a UK NI number: %d", matched)
}

// TestNumberWindowsAllocateNothing checks that the number shapes' windows
// (inClusters) live in the scan's reused slices: once a scan has checked a
// text, checking it again builds its points and windows, the long windows
// of log lines cut at line breaks included, without allocating.
func TestNumberWindowsAllocateNothing(t *testing.T) {
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "2026-03-01T08:%02d:%02d.%03dZ WARN http.client POST /v2/orders/batch took %dms (retry %d)\n", i%60, (i*7)%60, i, 1000+i*13, i%4)
	}
	sc := &scan{}
	sc.text, sc.lower = b.String(), asciiLower(b.String())
	sc.toks, sc.runs = lexDigits(nil, nil, sc.text, sc.lower, nil, true)
	find := func() {
		for _, sh := range []*shape{cardShape, ssnShape, ipv4Shape} {
			if m := sc.inClusters(sh, 8, 24, 0, 0, nil); len(m) > 0 {
				t.Fatalf("%d matches in log lines", len(m))
			}
		}
	}
	find()
	if !hasLong(sc.wins) {
		t.Fatal("the log lines gave no window longer than maxWindow: the test misses the cut windows")
	}
	if n := testing.AllocsPerRun(10, find); n > 0 {
		t.Errorf("inClusters allocated %.0f times on a scan that had checked the text", n)
	}
}
