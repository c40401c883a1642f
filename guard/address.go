package guard

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Street-type words, English and European, standing alone.
const streetWords = `street|st|str|u|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|square|sq|terrace|way|parkway|pkwy|highway|hwy|circle|cir|trail|crescent|close|row|walk|alley|plaza|gardens|loop|pike|route|turnpike|mews|grove|ridge|crossing|estates|rue|rua|via|viale|calle|avenida|piazza|praça|praca|carrer|chemin|allee|allée|platz|plein|utca|ulica|ul|tér|út|gatan|gata|vej|vegen|veien|straat|strasse|straße|weg|katu|kuja|tie|tee|laan|markt|gasse|ring|ringvej|gade|vägen|bulevar|cesta`

// Street-type endings glued to the street name ("Friedhofstrasse").
const streetSuffixes = `graben|damm|ufer|steig|pfad|strasse|straße|str|gasse|weg|vej|vegen|veien|gata|gatan|vägen|katu|kuja|tie|laan|straat|plein|gracht|utca|platz|allee|ring|ringvej|gade|polku|kaari|väylä|ová|ova|ská|ska`

var (
	// street-type word, name, number; words that are also English ("via",
	// "place") need a capitalised name after them
	reAddrTypeFirst = regexp.MustCompile(`(?:(?i:\b(?:rue|rua|viale|calle|avenida|piazza|praça|praca|carrer|chemin|ulica|boulevard|bulevar)\b)\.?(?:[ ]{1,2}[\p{L}][\p{L}.'’-]*){1,5}|(?i:\b(?:via|av|place|plaza|ul|avenue)\b)\.?[ ]{1,2}\p{Lu}[\p{L}.'’-]*(?:[ ]{1,2}[\p{L}][\p{L}.'’-]*){0,4})[ ,]{1,2}\d{1,5}[A-Za-z]?\b\.?`)
	// the house number after a street name: " 33", ". 12a"
	reAddrHouseNo = regexp.MustCompile(`^\.?[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?`)
	// Name [Name] number street-type: "Hoge Wei 32 St.", "Pärna 33 street"
	reAddrWordsNumType = regexp.MustCompile(`\p{Lu}[\p{L}'’-]+(?:[ ]\p{Lu}[\p{L}'’-]+){0,3}[ ]\d{1,5}[ ](?i:st|street|rd|road|ave|avenue|str)\b\.?`)
	// street corners
	// a street written in lower case, as people type it in chat ("lives at
	// 123 main st"): only after a word that announces an address, since
	// "4 nights in a row" has the same shape
	reAddrCorner = regexp.MustCompile(`(?i:\bthe corner of )[^\n?!]{3,60}? and (?:\p{Lu}[\p{L}'’-]*|\d+)(?:[ ][\p{Lu}\d][\p{L}.'’-]*){0,3}`)
	// apartment, suite, unit
	reAddrUnit = regexp.MustCompile(`(?i)\b(?:apt|apartment|suite|ste|unit|flat|floor|room)\.?[ ]{0,2}#?[ ]{0,2}\d{1,5}[A-Za-z]?\b`)
	// post office and military boxes
	reAddrBox      = regexp.MustCompile(`(?i)\b(?:p\.? ?o\.? box|post office box|(?:psc|cmr|unit) \d{1,5},? box)[ ]{0,2}\d{1,6}\b`)
	reAddrMilitary = regexp.MustCompile(`\b(?:USNS|USNV|USS|USCGC) [\p{L}]+\s{0,3}\n?\s{0,3}[AFD]PO A[AEP] \d{5}\b|\b[AFD]PO A[AEP] \d{5}\b`)
	// postcodes
	reUSStateZip = regexp.MustCompile(`\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY),? \d{5}(?:-\d{4})?\b`)
	reUKPostcode = regexp.MustCompile(`\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}\b`)
	reCAPostcode = regexp.MustCompile(`\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d\b`)
	// a line segment that can continue an address: city, state, country,
	// postcode
	reAddrCont = regexp.MustCompile(`^[ ,>]{0,6}(?:nan|[\p{L}\d][\p{L}\d.'’ -]{0,40})$`)
)

// addrDetector finds postal addresses: a street core (house number and
// street-type word, European "Name 12" forms, units, boxes) extended over
// the unit, city, region, postcode and country that follow it on the same or
// the next lines.
type addrDetector struct {
	lx *lexicon
}

func (a *addrDetector) detect(sc *scan, toks []token) []span {
	text := sc.text
	var cores []span
	var nearIf func(re *regexp.Regexp, score float64, wins [][2]int, ok func(a, b int) bool, check func(string) bool)
	when := func(re *regexp.Regexp, score float64, set *kwSet, before, after int) {
		for _, m := range sc.whenDigits(re, before, after, set) {
			cores = append(cores, span{m[0], m[1], Address, score})
		}
	}
	// patterns that end in a street-type word run only near one
	var streetPts [][2]int
	for i := range toks {
		if t := &toks[i]; t.is(lxStreet) {
			streetPts = append(streetPts, [2]int{t.start, t.end})
		}
	}
	near := func(re *regexp.Regexp, score float64, wins [][2]int, check func(string) bool) {
		nearIf(re, score, wins, nil, check)
	}
	checked := func(ms [][]int, score float64, check func(string) bool) {
		for _, m := range ms {
			if check == nil || check(text[m[0]:m[1]]) {
				cores = append(cores, span{m[0], m[1], Address, score})
			}
		}
	}
	nearIf = func(re *regexp.Regexp, score float64, wins [][2]int, ok func(a, b int) bool, check func(string) bool) {
		checked(sc.in(re, sc.keep(wins, ok)), score, check)
	}
	streetWins := sc.around(streetPts, 120, 24)
	checked(sc.inShape(numFirstShape, sc.keep(streetWins, sc.mayNumFirst)), 0.85, a.notAllStop)
	nearIf(reAddrWordsNumType, 0.7, streetWins, sc.mayWordsNumType, a.notAllStop)
	when(reAddrTypeFirst, 0.8, kwStreetFirst, windowBefore, windowAfter)
	cores = append(cores, gluedStreets(text, toks)...)
	checked(sc.inShape(numWordNumShape, sc.keep(sc.around(numberThenCapital(text, sc.runs), 8, 80), sc.mayNumWordNum)), 0.6, a.notAllStop)
	when(reAddrUnit, 0.6, kwUnit, 8, 16) // the number follows the unit word
	for _, m := range sc.inShape(addrLowerShape, sc.digitWindows(16, 100, kwAddrCue)) {
		cores = append(cores, span{m[2], m[3], Address, 0.7})
	}
	for _, m := range sc.when(reAddrCorner, kwCorner) {
		cores = append(cores, span{m[0], m[1], Address, 0.7})
	}
	when(reAddrBox, 0.85, kwBox, 24, 12)
	when(reAddrMilitary, 0.9, kwMilitary, windowBefore, 12)
	pc := sc.around(postcodePoints(text, sc.runs), 12, 12)
	near(reUSStateZip, 0.7, pc, nil)
	near(reUKPostcode, 0.7, pc, nil)
	near(reCAPostcode, 0.7, pc, nil)
	if len(cores) == 0 {
		return nil
	}
	cores = mergeSpans(cores)
	for i := range cores {
		cores[i].start = a.extendBack(text, cores[i].start)
		cores[i].end = a.extendForward(text, cores[i].end)
	}
	return mergeSpans(cores)
}

// The keywords of the address patterns that need one; all of them but the
// corner need a digit too.
var (
	kwStreetFirst = kw("rue ", "rua ", "via ", "viale ", "calle ", "avenida ", "av ", "av.", "piazza ", "praça ", "praca ", "carrer ", "chemin ", "place ", "plaza ", "ul ", "ul.", "ulica ", "avenue ", "boulevard ", "bulevar ")
	kwUnit        = kw("apt", "apartment", "suite", "ste", "unit", "flat", "floor", "room")
	kwCorner      = kw("corner of")
	kwAddrCue     = kw("address", "live", "living", "located", "moved", "ship", "deliver", "send", "sent", "mail")
	kwBox         = kw("box")
	kwMilitary    = kw("po a")
)

// streetWordSet holds streetWords.
var streetWordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(streetWords, "|") {
		m[w] = true
	}
	return m
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// numberThenCapital returns the digit runs followed by a space and a
// capital letter, where "9721 Dalmatinova 43" can start.
func numberThenCapital(text string, runs [][2]int) [][2]int {
	var out [][2]int
	for _, r := range runs {
		j := r[1]
		k := j
		for k < len(text) && k-j < 2 && text[k] == ' ' {
			k++
		}
		if k > j && k < len(text) {
			c, _ := utf8.DecodeRuneInString(text[k:])
			if unicode.IsUpper(c) {
				out = append(out, r)
			}
		}
	}
	return out
}

// postcodePoints returns where a US state and ZIP ("IL 62704"), a UK
// postcode's inward code (" 1AA") or a Canadian one (" 0B1") can be: a
// space before a digit run.
func postcodePoints(text string, runs [][2]int) [][2]int {
	var out [][2]int
	for _, r := range runs {
		i := r[0] - 1
		if i < 0 || text[i] != ' ' || i+3 >= len(text) {
			continue
		}
		switch {
		case isUpper(text[i+2]) && (isUpper(text[i+3]) || isDigit(text[i+3])): // UK, CA
			out = append(out, [2]int{i, i + 4})
		case i >= 2 && isUpper(text[i-1]) && isUpper(text[i-2]): // US state ZIP
			out = append(out, [2]int{i, i + 4})
		case i >= 3 && text[i-1] == ',' && isUpper(text[i-2]) && isUpper(text[i-3]):
			out = append(out, [2]int{i, i + 4})
		}
	}
	return out
}

// suffixList is streetSuffixes as a list.
var suffixList = strings.Split(streetSuffixes, "|")

// suffixesByLast holds the suffixes of suffixList (in its order) by their
// last byte: a word can only end with those of its own last byte, so most
// words are settled with one lookup instead of a test per suffix.
var suffixesByLast = func() (t [256][]string) {
	for _, suf := range suffixList {
		c := suf[len(suf)-1]
		t[c] = append(t[c], suf)
	}
	return t
}()

// gluedStreets finds street names with a glued street-type ending followed
// by a house number ("Friedhofstrasse 33", "Harjukuja 54").
func gluedStreets(text string, toks []token) []span {
	var out []span
	for i := range toks {
		t := &toks[i]
		if !t.letters || len(t.folded) < 5 || !houseNumberNext(text, t.end) {
			continue
		}
		w := t.folded
		if nonASCII(t.word(text)) {
			w = strings.ToLower(t.word(text)) // folding turns ß into s, and "straße" would be missed
		}
		for _, suf := range suffixesByLast[w[len(w)-1]] {
			if len(w) > len(suf)+1 && strings.HasSuffix(w, suf) {
				end := t.end + 24
				if end > len(text) {
					end = len(text)
				}
				if m := reAddrHouseNo.FindStringIndex(text[t.end:end]); m != nil {
					out = append(out, span{t.start, t.end + m[1], Address, 0.75})
				}
				break
			}
		}
	}
	return out
}

// houseNumberNext reports whether a digit follows text[:i] after at most a
// period and two spaces, where reAddrHouseNo can match.
func houseNumberNext(text string, i int) bool {
	if i < len(text) && text[i] == '.' {
		i++
	}
	for k := 0; k < 2 && i < len(text) && text[i] == ' '; k++ {
		i++
	}
	return i < len(text) && isDigit(text[i])
}

// notAllStop rejects a core whose words are all stop words ("10 Pro 22").
func (a *addrDetector) notAllStop(v string) bool {
	for _, t := range tokenize(v) {
		if t.letters && len(t.folded) > 2 && !a.lx.stop[t.folded] || ordinal(t.folded) {
			return true
		}
	}
	return false
}

// ordinal reports whether w is an ordinal number written with digits
// ("2nd", "5th"), as numbered streets are named ("500 W 2nd St").
func ordinal(w string) bool {
	n := len(w)
	if n < 3 || !isDigit(w[0]) {
		return false
	}
	switch w[n-2:] {
	case "st", "nd", "rd", "th":
		for i := 0; i < n-2; i++ {
			if !isDigit(w[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// extendBack takes in a house number just before the core on the same line.
func (a *addrDetector) extendBack(text string, start int) int {
	i := start
	for k := 0; k < 2; k++ {
		j := i
		for j > 0 && (text[j-1] == ' ' || text[j-1] == ',') && i-j < 2 {
			j--
		}
		if j == i {
			return i
		}
		e := j
		for j > 0 && text[j-1] >= '0' && text[j-1] <= '9' && e-j < 6 {
			j--
		}
		if j == e || (j > 0 && text[j-1] != ' ' && text[j-1] != '\n' && text[j-1] != '>') {
			return i
		}
		i = j
	}
	return i
}

// extendForward takes in up to five following segments (split on commas and
// line breaks) that look like unit, city, region, country or postcode.
func (a *addrDetector) extendForward(text string, end int) int {
	for n := 0; n < 5 && end < len(text); n++ {
		i := end
		// the separator: a comma, a line break or spaces, but no blank line
		for i < len(text) && (text[i] == ' ' || text[i] == ',') {
			i++
		}
		blank := false
		if i < len(text) && text[i] == '\n' {
			i++
			i = skipLinePrefix(text, i)
			if i < len(text) && text[i] == '\n' { // one blank line, allowed before a final "Country 12345" line
				i = skipLinePrefix(text, i+1)
				blank = true
			}
		}
		if i == end || i >= len(text) || text[i] == '\n' {
			return end
		}
		j := i
		for j < len(text) && text[j] != '\n' && text[j] != ',' && j-i <= 42 {
			j++
		}
		seg := strings.TrimRight(text[i:j], " .")
		if seg == "" || !reAddrCont.MatchString(seg) || blank && !reCountryZip.MatchString(seg) {
			return end
		}
		n, all := a.placeLike(seg)
		if n == 0 {
			return end
		}
		if !all {
			return i + n // the place ends inside this segment: "DC 20500 asap"
		}
		end = i + len(seg)
	}
	return end
}

var reCountryZip = regexp.MustCompile(`^\p{Lu}[\p{L} ()]{2,30} \d{4,6}$`)

// skipLinePrefix skips the indentation and quote marks at the start of a
// line (" ", ">", "?", tab).
func skipLinePrefix(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '>' || text[i] == '\t' || text[i] == '?') {
		i++
	}
	return i
}

// placeLike reports how many leading bytes of seg look like part of an
// address (capitalised words, numbers, unit words, postcodes, state codes;
// at most five words) and whether that is all of seg.
func (a *addrDetector) placeLike(seg string) (int, bool) {
	if seg == "nan" {
		return len(seg), true
	}
	toks := tokenize(seg)
	if len(toks) == 0 {
		return 0, false
	}
	end := 0
	for k, t := range toks {
		ok := false
		switch {
		case k >= 5:
		case !t.letters: // numbers, postcodes
			ok = true
		case t.upper && !a.lx.stop[t.folded]:
			ok = true
		case t.folded == "apt" || t.folded == "suite" || t.folded == "unit" || t.folded == "nan" || t.folded == "flat" || t.folded == "floor" || t.folded == "box":
			ok = true
		case t.upper && t.end-t.start == 2: // state codes
			ok = true
		}
		if !ok {
			return end, false
		}
		end = t.end
	}
	return len(seg), true
}

// mergeSpans sorts spans and merges overlapping or touching ones (joined by
// at most a space or comma) into one.
func mergeSpans(in []span) []span {
	if len(in) == 0 {
		return in
	}
	s := append([]span(nil), in...)
	sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	out := []span{s[0]}
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		if x.start <= last.end {
			if x.end > last.end {
				last.end = x.end
			}
			if x.score > last.score {
				last.score = x.score
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// mayNumFirst is a necessary condition for numFirstShape to match in
// text[a:b]: the pattern opens with \b\d{1,6}[A-Za-z]?[ ,], so some digit
// run, as the window sees it, is at most six digits long and is followed in
// the window by a space or comma, or by one ASCII letter and then one. Street
// words ("way", "place", "close") are common English; most of their windows
// hold no such number and skip the regular expression.
func (sc *scan) mayNumFirst(a, b int) bool {
	t := sc.text
	for _, r := range sc.runsIn(a, b) {
		s, e := max(r[0], a), min(r[1], b)
		if e-s > 6 || e >= b {
			continue
		}
		if c := t[e]; c == ' ' || c == ',' {
			return true
		}
		if c := t[e]; isLetterASCII(c) && e+1 < b && (t[e+1] == ' ' || t[e+1] == ',') {
			return true
		}
	}
	return false
}

// mayWordsNumType is a necessary condition for reAddrWordsNumType to match
// in text[a:b]: it holds "[ ]\d{1,5}[ ]", a digit run of at most five
// digits with a space on each side, both inside the window.
func (sc *scan) mayWordsNumType(a, b int) bool {
	t := sc.text
	for _, r := range sc.runsIn(a, b) {
		s, e := max(r[0], a), min(r[1], b)
		if s > a && e < b && e-s <= 5 && t[s-1] == ' ' && t[e] == ' ' {
			return true
		}
	}
	return false
}

// mayNumWordNum is a necessary condition for numWordNumShape to match in
// text[a:b]: a digit run of at most six digits followed by a space, and a
// later one of at most five after a space, both as the window sees them.
// Most "3 Items" and "2 Jan" windows hold no second number.
func (sc *scan) mayNumWordNum(a, b int) bool {
	t := sc.text
	first := -1 // end of the first run that can open the pattern
	for _, r := range sc.runsIn(a, b) {
		s, e := max(r[0], a), min(r[1], b)
		if first >= 0 && s > first && s > a && t[s-1] == ' ' && e-s <= 5 {
			return true
		}
		if first < 0 && e-s <= 6 && e < b && t[e] == ' ' {
			first = e
		}
	}
	return false
}
