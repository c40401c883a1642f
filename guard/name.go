package guard

import (
	_ "embed"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	//go:embed names_first.txt
	firstNamesText string
	//go:embed names_last.txt
	lastNamesText string
	//go:embed names_ambiguous.txt
	ambiguousNamesText string
	//go:embed names_stop.txt
	stopWordsText string
	//go:embed names_common.txt
	commonWordsText string
)

// lexicon holds the word lists of the name detector. It is built once by New
// and only read afterwards.
type lexicon struct {
	first     map[string]bool // given names
	last      map[string]bool // family names
	ambiguous map[string]bool // given names that are also common words
	stop      map[string]bool // capitalised words that are not names
	common    map[string]bool // everyday, brand and place words the weaker rules never take
	// words holds, for every word of any list, the flags of the lists it
	// is on and its denied-topic stem: the lexer looks each token up once,
	// and the detectors test bits instead of maps.
	words map[string]lexEntry
	table lexTable // words, for the lexer; built by freeze
}

// freeze builds the lexer's table once every word is in.
func (lx *lexicon) freeze() { lx.table = newLexTable(lx.words) }

// lexEntry is what the lexicon knows of a word.
type lexEntry struct {
	flags lexFlag
	topic int32 // 1 + the index of the word's stem among the topics' example stems; 0 for none
}

// lexFlag marks the lists a word is on.
type lexFlag uint32

// The lists.
const (
	lxFirst     lexFlag = 1 << iota // given name
	lxLast                          // family name
	lxAmbiguous                     // given name that is also a common word
	lxStop                          // not a name
	lxCommon                        // everyday, brand or place word
	lxTopicStop                     // carries no topic
	lxStreet                        // street-type word
	lxCue                           // last word of a name cue
	lxStrongCue                     // last word of a cue after which a lower-case word is a name too
)

func wordSet(text string) map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	return m
}

func newLexicon() *lexicon {
	lx := &lexicon{first: wordSet(firstNamesText), last: wordSet(lastNamesText), ambiguous: wordSet(ambiguousNamesText), stop: wordSet(stopWordsText), common: wordSet(commonWordsText)}
	for w := range lx.ambiguous {
		delete(lx.last, w) // "Long", "Rose", "May"
	}
	for w := range lx.common {
		delete(lx.first, w) // brands and places that are also names: "Ericsson"
		delete(lx.last, w)
	}
	lx.words = map[string]lexEntry{}
	for _, l := range []struct {
		set  map[string]bool
		flag lexFlag
	}{{lx.first, lxFirst}, {lx.last, lxLast}, {lx.ambiguous, lxAmbiguous}, {lx.stop, lxStop}, {lx.common, lxCommon}, {topicStop, lxTopicStop}, {streetWordSet, lxStreet}} {
		for w := range l.set {
			lx.flag(w, l.flag)
		}
	}
	for w, cues := range cuesByLast {
		lx.flag(w, lxCue)
		for _, c := range cues {
			if c.strong {
				lx.flag(w, lxStrongCue)
			}
		}
	}
	return lx
}

// flag adds f to the flags of word w.
func (lx *lexicon) flag(w string, f lexFlag) {
	e := lx.words[w]
	e.flags |= f
	lx.words[w] = e
}

// addStems records the topics' example stems: every word whose stem is
// stems[i] gets topic i+1. A word's stem is itself or itself less one
// suffix (stem), so the words of a stem are the stem or the stem with an
// "e", each with or without a suffix; the ones stem maps back are kept.
func (lx *lexicon) addStems(stems []string) {
	for i, st := range stems {
		for _, base := range []string{st, st + "e"} {
			for _, suf := range []string{"", "ing", "ed", "es", "s"} {
				if w := base + suf; stem(w) == st {
					e := lx.words[w]
					e.topic = int32(i + 1)
					lx.words[w] = e
				}
			}
		}
	}
}

// surnameSuffixes end many family names across Europe and Asia.
var surnameSuffixes = []string{
	"son", "sen", "sson", "dottir", "ova", "ov", "ev", "eva", "ski", "ska", "sky", "cki", "cka", "wicz", "vich", "vic",
	"enko", "chuk", "ian", "yan", "idis", "poulos", "akis", "ez", "escu", "elli", "etti", "otti", "ucci",
	"berg", "burg", "stein", "mann", "feld", "holm", "strom", "qvist", "lund", "nen", "ainen", "yama", "kawa", "mura",
	"moto", "hara", "zaki", "saki", "uchi", "shi", "aite", "iene", "dze", "shvili", "oglu",
}

// commonWord reports whether w (lower case) is a stop word: used to reject
// values captured after "password:" or "username:" that are ordinary words.
func commonWord(w string) bool {
	switch w {
	case "not", "is", "was", "the", "a", "an", "and", "or", "reset", "wrong", "incorrect", "invalid", "expired",
		"changed", "correct", "required", "field", "manager", "policy", "please", "again", "still", "now", "for",
		"to", "of", "on", "in", "with", "that", "this", "it", "working", "same", "different", "missing", "empty",
		"blank", "forgotten", "forgot", "lost", "locked", "unknown", "none", "n/a", "***", "hidden", "redacted", "below", "above",
		"set", "created", "updated", "active", "disabled", "enabled", "available", "taken", "visible", "shown", "displayed", "used", "mine", "yours", "also", "already":
		return true
	}
	return false
}

// nameCue is a phrase (folded tokens) after which a name follows.
type nameCue struct {
	words  []string
	strong bool // the next token is a name even in lower case
	colon  bool // the cue must be followed by a colon ("Name:")
}

var nameCues = []nameCue{
	{words: []string{"my", "name", "is"}, strong: true},
	{words: []string{"name", "is"}, strong: true},
	{words: []string{"name"}, strong: true, colon: true},
	{words: []string{"full", "name"}, strong: true, colon: true},
	{words: []string{"call", "me"}, strong: true},
	{words: []string{"mr"}, strong: true}, {words: []string{"mrs"}, strong: true}, {words: []string{"ms"}, strong: true},
	{words: []string{"miss"}}, {words: []string{"dr"}}, {words: []string{"prof"}}, {words: []string{"mx"}},
	{words: []string{"i'm"}}, {words: []string{"i", "am"}}, {words: []string{"this", "is"}},
	{words: []string{"hi"}}, {words: []string{"hello"}}, {words: []string{"hey"}}, {words: []string{"dear"}},
	{words: []string{"thanks"}}, {words: []string{"thank", "you"}}, {words: []string{"regards"}}, {words: []string{"cheers"}},
	{words: []string{"sincerely"}}, {words: []string{"best"}}, {words: []string{"speak", "to"}}, {words: []string{"talk", "to"}},
	{words: []string{"ask", "for"}}, {words: []string{"named"}}, {words: []string{"called"}}, {words: []string{"said"}},
	{words: []string{"says"}}, {words: []string{"told"}}, {words: []string{"by"}}, {words: []string{"with"}},
	{words: []string{"user"}, colon: true}, {words: []string{"customer"}, colon: true}, {words: []string{"agent"}, colon: true},
	{words: []string{"from"}, colon: true}, {words: []string{"to"}, colon: true}, {words: []string{"cc"}, colon: true},
	{words: []string{"last", "name"}, strong: true}, {words: []string{"first", "name"}, strong: true},
	{words: []string{"maiden", "name", "is"}, strong: true}, {words: []string{"under"}},
	{words: []string{"change", "it", "to"}}, {words: []string{"correct", "it", "to"}}, {words: []string{"known", "as"}},
	{words: []string{"on", "behalf", "of"}}, {words: []string{"signed"}}, {words: []string{"contact", "person"}, colon: true},
	{words: []string{"calls", "me"}, strong: true}, {words: []string{"kid"}}, {words: []string{"son"}}, {words: []string{"daughter"}},
	{words: []string{"wife"}}, {words: []string{"husband"}}, {words: []string{"partner"}}, {words: []string{"friend"}},
	{words: []string{"colleague"}}, {words: []string{"coworker"}}, {words: []string{"boss"}}, {words: []string{"brother"}},
	{words: []string{"sister"}}, {words: []string{"mother"}}, {words: []string{"father"}}, {words: []string{"mom"}}, {words: []string{"dad"}},
}

// titleCue reports whether w is a title written with a period ("Mr.").
func titleCue(w string) bool {
	switch w {
	case "mr", "mrs", "ms", "dr", "prof", "mx":
		return true
	}
	return false
}

// cuesByLast indexes nameCues by their last word.
var cuesByLast = func() map[string][]nameCue {
	m := map[string][]nameCue{}
	for _, c := range nameCues {
		last := c.words[len(c.words)-1]
		m[last] = append(m[last], c)
	}
	return m
}()

// weakCue marks cues after which a capitalised word is a name only when it
// is a given name or followed by another capitalised word.
func (c nameCue) weak() bool {
	switch c.words[0] {
	case "i'm", "i", "this", "by", "with", "under", "best", "told", "change", "correct":
		return true
	}
	return false
}

// nameCtx is the state of one name-detection pass.
type nameCtx struct {
	lx       *lexicon
	text     string
	toks     []token
	known    map[string]bool // folded name parts of the ticket's known people
	knownMsk uint64          // wordMask of every known part
	learned  map[string]bool // parts of names found in the session's earlier texts
	taken    []bool          // token is part of a found name
	caps     []bool          // token looks like a name word (capitalised)
	speakers int             // speaker-label lines with a lexicon name; -1 until counted
	out      []span
}

// detectNames finds person names: the ticket's known people (any part of
// their name, case- and accent-insensitively), names after cues ("my name
// is", "Hi", "Mr."), given names from the lexicon with the capitalised words
// that follow them, capitalised pairs with a surname ending, speaker labels
// at the start of a line ("Anna:"), and again every part of a name found,
// here or in the session's earlier texts (learned, see Session.learnNames).
// The spans it returns are the scan's, valid until its next call.
func (lx *lexicon) detectNames(sc *scan, known, learned map[string]bool) []span {
	text, toks := sc.text, sc.toks
	c := &nameCtx{lx: lx, text: text, toks: toks, known: known, learned: learned, speakers: -1, out: sc.names[:0]}
	c.taken, c.caps = sc.bools(len(toks))
	for k := range known {
		c.knownMsk |= wordMask(k)
	}
	for i := range toks {
		if toks[i].upper && toks[i].letters { // capitalised's first test, without the call for most words
			c.caps[i] = capitalised(text, &toks[i])
		}
	}
	for i := range toks {
		// no rule below can take a word that is not capitalised, not a
		// lexicon name, not after a cue and not a known name (its mask
		// misses): most words of a thread are passed over here, without
		// asking each rule. TestNamesMayStart checks that the loop finds
		// the same without this test (noPrefilters).
		t := &toks[i]
		if c.taken[i] || !noPrefilters && !c.caps[i] && t.lex&(lxFirst|lxLast) == 0 && (i == 0 || toks[i-1].lex&lxCue == 0) && c.knownMsk&wordMask(t.folded) == 0 {
			continue
		}
		switch {
		case c.isKnown(toks[i].folded) && toks[i].letters:
			c.take(i, c.extend(i), 0.95)
		case c.afterCue(i):
		case c.placePrefix(i):
			// "San Francisco", "Lake Tahoe": a place, not a person
		case c.caps[i]:
			c.capRules(i)
		case c.inLexiconName(i) && c.afterRole(i) && c.isCapNext(i) && !toks[i+1].is(lxCommon):
			c.take(i, c.extend(i), 0.65) // "technician jo Berg"
		case !toks[i].upper && toks[i].letters && len(toks[i].folded) >= 4 && toks[i].is(lxFirst) && !toks[i].is(lxAmbiguous|lxStop):
			c.take(i, c.extendLower(i), 0.6) // "olga krylova" in an all-lower-case message
		}
	}
	c.coordinate()
	c.propagate()
	sc.names = c.out
	return c.out
}

// capRules applies the rules for a capitalised word, in order, and takes
// the name of the first that holds.
func (c *nameCtx) capRules(i int) {
	toks := c.toks
	switch {
	case toks[i].is(lxFirst) && !toks[i].is(lxAmbiguous) && !c.numberNext(i):
		c.take(i, c.extend(i), 0.8)
	case toks[i].is(lxFirst) && c.isCapNext(i):
		c.take(i, c.extend(i), 0.7)
	case toks[i].is(lxLast) && (!c.sentenceStart(i) || c.verbNext(i)):
		c.take(i, c.extend(i), 0.65) // "asked Johnson", "Olsen and Berg"
	case c.isCapNext(i) && c.surnameLike(i):
		c.take(i, c.extend(i), 0.65)
	case toks[i].is(lxAmbiguous) && c.humanVerbNext(i, true):
		c.take(i, i+1, 0.6) // "Grant said", "Bill wrote"
	case c.unknownCap(i) && c.humanVerbNext(c.extend(i)-1, false):
		c.take(i, c.extend(i), 0.6) // "Mehrudin shouted", "Cendrillon Coudert lives at"
	case (c.unknownCap(i) || toks[i].is(lxAmbiguous)) && c.possessiveKin(i):
		c.take(i, i+1, 0.7) // "Asya's kid", "Will's wife"
	case c.speakerLabel(i) && c.transcript():
		c.take(i, i+1, 0.6) // "Destiny: ..." among other speaker lines
	case (c.unknownCap(i) || c.inLexiconName(i)) && c.afterRole(i) && c.isCapNext(i) && !toks[i+1].is(lxCommon):
		c.take(i, c.extend(i), 0.65) // "Producer Liviana Palerma"
	case c.unknownCap(i) && !c.sentenceStart(i) && strongSurname(toks[i].folded):
		c.take(i, c.extend(i), 0.6) // "the Ásgeirsdóttir novel"
	case c.unknownCap(i) && c.vocativeQuestion(i):
		c.take(i, i+1, 0.6) // "Danial, can I speak to your boss?"
	case c.isInitial(i+1) && c.joined(i) && c.joined(i+1) && c.isCap(i+2):
		c.take(i, c.extend(i), 0.75) // "Stefan M. Berg"
	case c.speakerLabel(i) && c.inLexicon(i):
		c.take(i, i+1, 0.7)
	case c.nameLine(i) && (c.inLexicon(i) || c.inLexicon(i+1) || c.blockStart(i)):
		c.take(i, c.extend(i), 0.6)
	case c.vocative(i) && c.inLexicon(i):
		c.take(i, i+1, 0.6)
	}
}

// take records toks[i:j] as a name.
func (c *nameCtx) take(i, j int, score float64) {
	for k := i; k < j; k++ {
		c.taken[k] = true
	}
	c.out = append(c.out, span{c.toks[i].start, c.toks[j-1].end, Name, score})
}

// isCap reports whether token i looks like a name word: capitalised letters
// (not all capitals beyond four letters), not a stop word.
func (c *nameCtx) isCap(i int) bool {
	return i < len(c.caps) && c.caps[i]
}

// capitalised reports whether t looks like a name word; isCap caches it.
func capitalised(text string, t *token) bool {
	w := t.word(text)
	if !t.upper || !t.letters || t.is(lxStop) || utf8.RuneCountInString(w) < 2 {
		return false
	}
	if allCaps(w) && (len(w) > 4 || len(w) <= 3) {
		return false // a word in capitals or an acronym ("EA", "USPS")
	}
	return true
}

// allCaps reports whether s has no lower-case letter.
func allCaps(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return false
		} else if c >= utf8.RuneSelf {
			return strings.ToUpper(s) == s
		}
	}
	return true
}

// joined reports whether tokens i and i+1 are separated only by a space or
// an initial's period, on one line.
func (c *nameCtx) joined(i int) bool {
	if i+1 >= len(c.toks) {
		return false
	}
	gap := c.text[c.toks[i].end:c.toks[i+1].start]
	if gap == " " {
		return true
	}
	if len(gap) == 0 || len(gap) > 3 {
		return false
	}
	if gap[0] == '.' {
		if !c.isInitial(i) {
			return false // a sentence ends here
		}
		gap = gap[1:]
	}
	return gap != "" && strings.Count(gap, " ") == len(gap)
}

func (c *nameCtx) isCapNext(i int) bool {
	return c.joined(i) && (c.isCap(i+1) || c.isInitial(i+1) && c.joined(i+1) && c.isCap(i+2))
}

// isInitial reports whether token i is a single capital letter.
func (c *nameCtx) isInitial(i int) bool {
	if i >= len(c.toks) {
		return false
	}
	t := c.toks[i].word(c.text)
	r, n := utf8.DecodeRuneInString(t)
	return n == len(t) && unicode.IsUpper(r)
}

// extend returns the end (exclusive) of the name that starts at token i: the
// capitalised words, initials, particles and suffixes that follow it, up to
// four tokens in all.
func (c *nameCtx) extend(i int) int {
	j := i + 1
	for j < len(c.toks) && j-i < 4 && c.joined(j-1) {
		f := c.toks[j].folded
		switch {
		case c.isCap(j) || c.isKnown(f) && c.toks[j].letters:
		case c.isInitial(j) && j+1 < len(c.toks) && c.joined(j) && c.isCap(j+1):
		case f == "ii" || f == "iii" || f == "iv" || f == "jr" || f == "sr":
		case (f == "van" || f == "von" || f == "de" || f == "der" || f == "da" || f == "di" || f == "del" || f == "la" || f == "le" || f == "bin" || f == "al" || f == "dos") &&
			j+1 < len(c.toks) && c.joined(j) && c.isCap(j+1):
		default:
			return j
		}
		j++
	}
	return j
}

// surnameLike reports whether the capitalised pair at i looks like a full
// name: the second word has a surname ending, or either has letters outside
// ASCII (names like Szöllösy that no English word list holds).
func (c *nameCtx) surnameLike(i int) bool {
	j := i + 1
	if c.isInitial(j) {
		j++
	}
	if j >= len(c.toks) {
		return false
	}
	second := c.toks[j].folded
	if c.toks[j].is(lxLast) {
		return true
	}
	for _, s := range surnameSuffixes {
		if strings.HasSuffix(second, s) && len(second) > len(s)+2 {
			return true
		}
	}
	// letters outside ASCII: a foreign name, unless it opens a sentence (a
	// German or Spanish sentence is full of such pairs)
	return (nonASCII(c.toks[i].word(c.text)) || nonASCII(c.toks[j].word(c.text))) && (!c.sentenceStart(i) || c.inLexiconName(i) || c.inLexiconName(j))
}

// inLexiconName reports whether token i is a given or family name of the
// lexicon.
func (c *nameCtx) inLexiconName(i int) bool {
	return c.toks[i].is(lxFirst | lxLast)
}

// load8 returns the first eight bytes of s as a little-endian word (one
// load: the compiler combines the byte loads).
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// nonASCII reports whether s has a byte beyond ASCII. It tests eight
// bytes at a time: the guard asks it of whole texts too.
func nonASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if load8(s[i:i+8])&0x8080808080808080 != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// speakerLabel reports whether token i starts a line and is followed by a
// colon, as in a chat transcript ("Anna: hello").
func (c *nameCtx) speakerLabel(i int) bool {
	t := c.toks[i]
	if t.end >= len(c.text) || c.text[t.end] != ':' {
		return false
	}
	if t.end+1 < len(c.text) && c.text[t.end+1] != ' ' && c.text[t.end+1] != '"' {
		return false
	}
	k := t.start - 1
	for k >= 0 && (c.text[k] == ' ' || c.text[k] == '>') {
		k--
	}
	return k < 0 || c.text[k] == '\n'
}

// afterCue takes a name that follows a cue ending just before token i and
// reports whether it did.
func (c *nameCtx) afterCue(i int) bool {
	if i == 0 {
		return false
	}
	// only a strong cue takes a word that is not capitalised
	if !c.toks[i-1].is(lxCue) || !c.caps[i] && !c.toks[i-1].is(lxStrongCue) {
		return false
	}
	for _, cue := range cuesByLast[c.toks[i-1].folded] {
		n := len(cue.words)
		if i < n {
			continue
		}
		ok := true
		for k := 0; k < n; k++ {
			if c.toks[i-n+k].folded != cue.words[k] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		gap := c.text[c.toks[i-1].end:c.toks[i].start]
		if cue.colon != strings.Contains(gap, ":") || strings.Count(gap, "\n") > 1 || len(gap) > 12 || strings.ContainsAny(gap, "'\"‘’“”") {
			continue // a quotation follows, not a name: says 'Pending: ...'
		}
		if strings.ContainsAny(gap, ".!?") && !titleCue(cue.words[0]) && !nameQuestion(cue, gap) {
			continue // the cue ended a sentence: "Thanks. Pending: ..."
		}
		t := c.toks[i]
		if !t.letters || t.is(lxStop) || utf8.RuneCountInString(t.word(c.text)) < 2 {
			continue
		}
		switch {
		case c.isCap(i) && (!cue.weak() || t.is(lxFirst) || c.isCapNext(i) || c.isKnown(t.folded)):
			c.take(i, c.extend(i), 0.85)
			return true
		case cue.strong && !t.upper && (cue.words[0] == "my" || cue.words[len(cue.words)-1] == "name" || cue.words[len(cue.words)-1] == "is" || t.is(lxFirst)):
			j := i + 1
			if j < len(c.toks) && c.joined(i) && c.toks[j].letters && !c.toks[j].is(lxStop) {
				j++
			}
			c.take(i, j, 0.75)
			return true
		}
	}
	return false
}

// sentenceStart reports whether token i starts the text, a line or a
// sentence, where a capital letter says nothing.
func (c *nameCtx) sentenceStart(i int) bool {
	k := c.toks[i].start - 1
	for k >= 0 && (c.text[k] == ' ' || c.text[k] == '"' || c.text[k] == '\'' || c.text[k] == '(') {
		k--
	}
	return k < 0 || strings.IndexByte(".!?\n:>", c.text[k]) >= 0
}

// blockStart reports whether token i starts the text or follows a blank
// line: the first line of a signature or address block, where a two-word
// line is most often a person's name.
func (c *nameCtx) blockStart(i int) bool {
	k := c.toks[i].start - 1
	for k >= 0 && (c.text[k] == ' ' || c.text[k] == '>' || c.text[k] == '\t' || c.text[k] == '?') {
		k--
	}
	if k < 0 {
		return true
	}
	// k is the line break before the line; look for another before it
	k--
	for k >= 0 && (c.text[k] == ' ' || c.text[k] == '>' || c.text[k] == '\t' || c.text[k] == '?' || c.text[k] == '\r') {
		k--
	}
	return k < 0 || c.text[k] == '\n'
}

// verbNext reports whether token i is followed by a verb that usually has a
// person as its subject ("Castro said", "Novak is").
func (c *nameCtx) verbNext(i int) bool {
	if !c.joined(i) {
		return false
	}
	switch c.toks[i+1].folded {
	case "is", "was", "has", "had", "lives", "lived", "works", "worked", "said", "says", "wrote", "writes",
		"began", "spent", "called", "asked", "told", "replied", "answered", "will", "would", "thinks", "wants", "needs":
		return true
	}
	return false
}

// inLexicon reports whether token i is a given or family name of the
// lexicon, or has letters outside ASCII.
func (c *nameCtx) inLexicon(i int) bool {
	if i >= len(c.toks) {
		return false
	}
	return c.toks[i].is(lxFirst|lxLast) || nonASCII(c.toks[i].word(c.text))
}

// numberNext reports whether token i is followed by a number ("Jan 5").
func (c *nameCtx) numberNext(i int) bool {
	return i+1 < len(c.toks) && c.joined(i) && !c.toks[i+1].letters
}

// nameLine reports whether token i starts a line that holds only two or
// three name words ("Lara Berg" above an address or signature block).
func (c *nameCtx) nameLine(i int) bool {
	k := c.toks[i].start - 1
	for k >= 0 && (c.text[k] == ' ' || c.text[k] == '>' || c.text[k] == '\t' || c.text[k] == '?') {
		k--
	}
	if k >= 0 && c.text[k] != '\n' {
		return false
	}
	j := c.extend(i)
	if j-i < 2 {
		return false
	}
	e := c.toks[j-1].end
	for e < len(c.text) && (c.text[e] == ' ' || c.text[e] == '.') {
		e++
	}
	return e < len(c.text) && c.text[e] == '\n'
}

// vocative reports whether token i opens the text or a line and is followed
// by a comma and a lower-case word, as in "Anna, can you help".
func (c *nameCtx) vocative(i int) bool {
	k := c.toks[i].start - 1
	for k >= 0 && c.text[k] == ' ' {
		k--
	}
	if k >= 0 && c.text[k] != '\n' {
		return false
	}
	t := c.toks[i]
	return t.end+1 < len(c.text) && c.text[t.end] == ',' && i+1 < len(c.toks) && !c.toks[i+1].upper
}

// extendLower extends a lower-case given name over one following lower-case
// word that is not a stop word ("olga krylova").
func (c *nameCtx) extendLower(i int) int {
	j := i + 1
	if j < len(c.toks) && c.joined(i) && c.toks[j].letters && !c.toks[j].upper && len(c.toks[j].folded) >= 3 && !c.toks[j].is(lxStop|lxTopicStop) {
		return j + 1
	}
	return j
}

// coordinate extends found names over lists: in "Anna, Berg and Olsen" or
// "Anna and Olsen", the capitalised words listed with a name are names too
// (after a comma only when the lexicon knows them, since "Anna Berg,
// Operations Director" is no list).
func (c *nameCtx) coordinate() {
	for changed := true; changed; {
		changed = false
		for i := 0; i+1 < len(c.toks); i++ {
			if !c.taken[i] || c.taken[i+1] {
				continue
			}
			gap := c.text[c.toks[i].end:c.toks[i+1].start]
			j, and := i+1, false
			if gap == " " && c.toks[i+1].folded == "and" && j+1 < len(c.toks) && c.text[c.toks[j].end:c.toks[j+1].start] == " " {
				j, and = j+1, true
			} else if gap != ", " {
				continue
			}
			if c.isCap(j) && !c.taken[j] && (and || c.inLexicon(j)) {
				c.take(j, j+1, 0.6)
				changed = true
			}
		}
		// and backwards: "Berg and Anna"
		for i := len(c.toks) - 1; i > 0; i-- {
			if !c.taken[i] {
				continue
			}
			gap := c.text[c.toks[i-1].end:c.toks[i].start]
			j, and := i-1, false
			if gap == " " && c.toks[j].folded == "and" && j > 0 && c.text[c.toks[j-1].end:c.toks[j].start] == " " {
				j, and = j-1, true
			} else if gap != ", " {
				continue
			}
			if c.isCap(j) && !c.taken[j] && (and || c.inLexicon(j)) {
				c.take(j, j+1, 0.6)
				changed = true
			}
		}
	}
}

// propagate marks every other occurrence of a word of a found name (three
// letters or more, not a stop word or ambiguous word), in this text or a
// learned one, as a name too.
func (c *nameCtx) propagate() {
	parts := map[string]bool{}
	var mask uint64            // wordMask of every part, to skip most tokens without a map lookup
	lower := map[string]bool{} // parts found written in lower case ("my name is borna")
	for p := range c.learned {
		parts[p] = true
		mask |= wordMask(p)
	}
	for _, s := range c.out {
		for _, t := range c.spanTokens(s) {
			if len(t.folded) >= 3 && t.letters && !c.lx.stop[t.folded] && !c.lx.ambiguous[t.folded] {
				parts[t.folded] = true
				mask |= wordMask(t.folded)
				if !t.upper && len(t.folded) >= 4 && !c.lx.common[t.folded] && !topicStop[t.folded] {
					lower[t.folded] = true
				}
			}
		}
	}
	if len(parts) == 0 {
		return
	}
	// A token neither capitalised nor a lexicon name of four letters or
	// more is taken only as a part found in lower case: when there is none,
	// such a token (most of them) is passed over before its mask.
	anyLower := len(lower) > 0
	for i := range c.toks {
		t := &c.toks[i]
		cased := t.upper || len(t.folded) >= 4 && t.is(lxFirst|lxLast)
		if !c.taken[i] && (cased || anyLower) && mask&wordMask(t.folded) != 0 && parts[t.folded] && (cased || lower[t.folded]) {
			c.take(i, i+1, 0.7)
		}
	}
}

// spanTokens returns the words of a name span: the scan's tokens it is made
// of (take records spans from a token's start to a token's end), which are
// those tokenize finds in its text again (TestNamesMayStart compares the
// two under noPrefilters).
func (c *nameCtx) spanTokens(s span) []token {
	if noPrefilters {
		return tokenize(c.text[s.start:s.end])
	}
	k := sort.Search(len(c.toks), func(i int) bool { return c.toks[i].start >= s.start })
	e := k
	for e < len(c.toks) && c.toks[e].end <= s.end {
		e++
	}
	return c.toks[k:e]
}

// nameQuestion reports whether a cue that ends in "name" is followed by a
// question mark, as in "What's your last name? Nielsen": the answer follows.
func nameQuestion(cue nameCue, gap string) bool {
	return cue.words[len(cue.words)-1] == "name" && strings.TrimLeft(gap, " ") != "" && strings.Trim(gap, " ?") == "" && strings.Count(gap, "?") == 1
}

// unknownCap reports whether token i is a capitalised word that no list
// knows: not a stop, common, ambiguous or lexicon word. Only the rules that
// need more evidence than the word itself (a verb, an ending, a question)
// take such a word.
func (c *nameCtx) unknownCap(i int) bool {
	return c.isCap(i) && !c.toks[i].is(lxCommon|lxAmbiguous|lxFirst|lxLast|lxTopicStop) && len(c.toks[i].folded) >= 3
}

// humanVerbNext reports whether token i is followed by a verb whose subject
// is nearly always a person. Verbs such as "said" or "emailed" also follow
// companies ("FedEx said"), so they count only for lexicon words (lexicon
// true), where they settle that "Will" or "Grant" is a name.
func (c *nameCtx) humanVerbNext(i int, lexicon bool) bool {
	if !c.joined(i) {
		return false
	}
	switch c.toks[i+1].folded {
	case "lives", "lived", "shouted", "yelled", "screamed", "whispered", "smiled", "laughed", "cried", "married", "texted":
		return true
	case "said", "says", "wrote", "writes", "asked", "told", "replied", "emailed", "explained", "mentioned":
		return lexicon
	}
	return false
}

// strongSurnames end family names and almost no English, brand or place
// word: one capitalised word with one of them is a name even on its own.
var strongSurnames = []string{
	"sson", "dottir", "poulos", "escu", "shvili", "enko", "ovic", "evic", "ovich", "evich", "wicz", "czyk",
	"inen", "anen", "onen", "oglu", "idze", "adze",
}

func strongSurname(f string) bool {
	for _, s := range strongSurnames {
		if strings.HasSuffix(f, s) && len(f) >= len(s)+3 {
			return true
		}
	}
	return false
}

// vocativeQuestion reports whether token i opens the text or a line and is
// followed by a comma and a question or request ("Bryce, can I...",
// "Vide, please call me").
func (c *nameCtx) vocativeQuestion(i int) bool {
	k := c.toks[i].start - 1
	for k >= 0 && c.text[k] == ' ' {
		k--
	}
	if k >= 0 && c.text[k] != '\n' {
		return false
	}
	t := c.toks[i]
	if t.end+2 > len(c.text) || c.text[t.end:t.end+2] != ", " || i+1 >= len(c.toks) || c.toks[i+1].start != t.end+2 {
		return false
	}
	switch c.toks[i+1].word(c.text) {
	case "can", "could", "would", "will", "please", "do", "did", "are", "have", "may", "you", "thank", "thanks":
		return true
	}
	return false
}

// placePrefix reports whether token i follows a word that opens place names
// ("San Francisco", "Lake Tahoe", "Fort Worth").
func (c *nameCtx) placePrefix(i int) bool {
	if i == 0 || !c.toks[i-1].upper || !c.joined(i-1) {
		return false
	}
	switch c.toks[i-1].folded {
	case "san", "santa", "santo", "sao", "saint", "st", "los", "las", "el", "new", "fort", "port", "mount", "lake", "cape", "isla", "rio", "puerto", "costa":
		return true
	}
	return false
}

// transcript reports whether the text holds at least two speaker-label lines
// whose speaker is a lexicon name ("Anna: ...\nJonas: ..."): then every
// other "Word: " line start is a speaker too, known name or not. It is
// computed once per text.
func (c *nameCtx) transcript() bool {
	if c.speakers < 0 {
		c.speakers = 0
		for k := range c.toks {
			if c.isCap(k) && c.speakerLabel(k) && c.inLexiconName(k) {
				c.speakers++
			}
		}
	}
	return c.speakers >= 2
}

// afterRole reports whether token i follows a job title written before a
// name ("Producer Liviana Palerma", "technician Jo Berg").
func (c *nameCtx) afterRole(i int) bool {
	if i == 0 || !c.joined(i-1) {
		return false
	}
	switch c.toks[i-1].folded {
	case "producer", "director", "ceo", "cto", "cfo", "founder", "cofounder", "co-founder", "engineer", "technician", "representative",
		"supervisor", "assistant", "officer", "author", "writer", "singer", "president", "professor", "doctor", "nurse", "lawyer",
		"attorney", "editor", "coach", "courier", "driver", "landlord", "tenant", "neighbour", "neighbor", "teacher", "manager":
		return true
	}
	return false
}

// possessiveKin reports whether token i is followed by a possessive and a
// family or household word ("Asya's kid"): only people have those.
func (c *nameCtx) possessiveKin(i int) bool {
	t := c.toks[i]
	rest := c.text[t.end:]
	switch {
	case strings.HasPrefix(rest, "'s "), strings.HasPrefix(rest, "'S "):
		rest = rest[3:]
	case strings.HasPrefix(rest, "’s "):
		rest = rest[len("’s "):]
	default:
		return false
	}
	if i+1 >= len(c.toks) || c.toks[i+1].start != len(c.text)-len(rest) {
		return false
	}
	switch c.toks[i+1].folded {
	case "kid", "kids", "son", "daughter", "child", "children", "wife", "husband", "mother", "father", "mom", "mum", "dad",
		"brother", "sister", "boyfriend", "girlfriend", "fiance", "fiancee", "grandmother", "grandfather", "aunt", "uncle", "cousin", "baby", "parents":
		return true
	}
	return false
}

// isKnown reports whether the folded word f is part of a known person's name.
func (c *nameCtx) isKnown(f string) bool {
	return c.knownMsk&wordMask(f) != 0 && c.known[f]
}

// wordMask is a one-bit fingerprint of a word (its length and first and last
// bytes), so that a set of words can be ruled out for most tokens with one
// AND before any map lookup.
func wordMask(w string) uint64 {
	if w == "" {
		return 1
	}
	return 1 << ((uint(len(w))*7 + uint(w[0])*3 + uint(w[len(w)-1])) & 63)
}
