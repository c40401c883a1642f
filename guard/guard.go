package guard

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// Guard checks text against the guardrail policy. It is safe for concurrent
// use; per-ticket state lives in a Session.
type Guard struct {
	cfg     Config
	lx      *lexicon
	phone   *phoneDetector
	addr    *addrDetector
	topics  []compiledTopic
	words   *wordFilter
	trusted map[string]bool // normalised TrustedTags
	log     *slog.Logger
	scans   sync.Pool // *scan, reused between checks
	clean   cleanMemo // texts a scan found nothing in, for RedactContext
}

// New returns a Guard for cfg, or an EINVALID error naming the first bad
// setting.
func New(cfg Config) (*Guard, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	topics, err := compileTopics(cfg.Topics)
	if err != nil {
		return nil, err
	}
	words, err := newWordFilter(cfg.Profanity != ActionNone, cfg.CustomWords)
	if err != nil {
		return nil, err
	}
	lx := newLexicon()
	lx.addStems(topicStems(topics))
	lx.freeze()
	trusted := map[string]bool{}
	for _, t := range cfg.TrustedTags {
		trusted[normTag(t)] = true
	}
	return &Guard{
		trusted: trusted,
		cfg:     cfg,
		lx:      lx,
		phone:   &phoneDetector{region: cfg.PhoneRegion, tollFree: cfg.TollFreePhones},
		addr:    &addrDetector{lx: lx},
		topics:  topics,
		words:   words,
		log:     cfg.Logger,
	}, nil
}

// Detect returns the personal data found in text, with types, offsets and
// scores and action NONE. s may be nil; with a session the ticket's known
// people are found too.
func (g *Guard) Detect(s *Session, text string) []Finding {
	var out []Finding
	sc := newScan(text, g.lx, &g.scans)
	defer sc.release(&g.scans)
	for _, sp := range g.detect(s, sc) {
		out = append(out, Finding{Kind: KindPII, Type: string(sp.typ), Start: sp.start, End: sp.end, Action: OutcomeNone, Score: sp.score})
	}
	return out
}

// detect runs every PII detector, aligns the spans to whole words, drops
// those below MinScore or inside a placeholder, and resolves overlaps.
func (g *Guard) detect(s *Session, sc *scan) []span {
	text := sc.text
	spans := g.rawSpans(s, sc)
	// never detect inside a placeholder the guard wrote itself
	phs := rePlaceholder.FindAllStringIndex(text, -1)
	kept := spans[:0]
	for _, sp := range spans {
		if sp.score < g.cfg.MinScore || sp.end <= sp.start {
			continue
		}
		sp.start, sp.end = wordAligned(text, sp.start, sp.end)
		inside := false
		for _, p := range phs {
			if sp.start < p[1] && p[0] < sp.end {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, sp)
		}
	}
	return resolve(kept)
}

// rawSpans returns what the detectors find, as they find it.
func (g *Guard) rawSpans(s *Session, sc *scan) []span {
	text, toks := sc.text, sc.toks
	spans := detectPatterns(sc, g.phone)
	spans = append(spans, g.lx.detectNames(sc, s.knownParts(), s.learnedParts())...)
	spans = append(spans, g.addr.detect(sc, toks)...)
	spans = append(spans, spelledNumbers(text, toks)...)
	if s != nil && len(s.emails) > 0 {
		lower := sc.lower // strings.ToLower(text) when text is ASCII
		var at []int      // text's offset of each of lower's bytes, when they differ
		if nonASCII(text) && (noPrefilters || !asciiLowerFinds(text, s.emails)) {
			lower, at = lowerWithOffsets(text)
		}
		for e := range s.emails {
			for i := 0; ; {
				j := strings.Index(lower[i:], e)
				if j < 0 {
					break
				}
				start, end := i+j, i+j+len(e)
				if at != nil {
					start, end = at[start], at[end]
				}
				spans = append(spans, span{start, end, Email, 0.99})
				i += j + len(e)
			}
		}
	}
	return spans
}

// asciiLowerFinds reports whether text with only its ASCII letters lower-cased
// finds the addresses (lower case) where strings.ToLower(text) does, at
// the same offsets: when every address is ASCII and text holds no rune
// that lower-cases to an ASCII byte ('İ' and the Kelvin sign are the only
// ones, TestRunesLowerToASCII), an address matches ASCII bytes that are
// text's own, in both. Most texts beyond ASCII then skip lowerWithOffsets,
// a copy of the text and an offset per byte.
func asciiLowerFinds(text string, emails map[string]role) bool {
	for e := range emails {
		if nonASCII(e) {
			return false
		}
	}
	return !strings.Contains(text, "\u0130") && !strings.Contains(text, "\u212a")
}

// lowerWithOffsets returns text lower-cased as strings.ToLower does, and
// for each of its bytes (and its end) the offset in text of the rune it
// came from: lower-casing changes some runes' lengths ('İ' 2 bytes to 'i'
// 1, the Kelvin sign 3 to 'k' 1), so offsets found in the lower-case copy
// are not text's.
func lowerWithOffsets(text string) (string, []int) {
	var b strings.Builder
	b.Grow(len(text))
	at := make([]int, 0, len(text)+1)
	for i, r := range text {
		n := b.Len()
		b.WriteRune(unicode.ToLower(r))
		for range b.Len() - n {
			at = append(at, i)
		}
	}
	return b.String(), append(at, len(text))
}

// CheckInput checks text about to be sent to a model. See Check.
func (g *Guard) CheckInput(ctx context.Context, s *Session, text string) (*Result, error) {
	return g.Check(ctx, s, SourceInput, text)
}

// CheckOutput checks text a model returned. See Check.
func (g *Guard) CheckOutput(ctx context.Context, s *Session, text string) (*Result, error) {
	return g.Check(ctx, s, SourceOutput, text)
}

// edit replaces text[start:end] with repl; start == end inserts.
type edit struct {
	start, end int
	repl       string
}

// Check applies the policy for source to text: personal data, word filters,
// denied topics, prompt attacks, then the Remote guardrail. It always
// returns a Result when the text could be checked. When the policy blocks
// the text it also returns an EBLOCKED error (failure class policy) that
// names each rule that blocked (entity type, topic, filter) and the config
// key that changes it, never a value. It returns EINVALID for text that is
// not UTF-8 or too long, and EUNAVAILABLE when the Remote guardrail fails
// and RemoteFailOpen is false.
func (g *Guard) Check(ctx context.Context, s *Session, source Source, text string) (*Result, error) {
	if source != SourceInput && source != SourceOutput {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: unknown source %q (want INPUT or OUTPUT)", source)
	}
	if !utf8.ValidString(text) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: %s text is not valid UTF-8", strings.ToLower(string(source)))
	}
	if len(text) > g.cfg.MaxTextBytes {
		hint := ""
		if g.cfg.LimitHint != "" {
			hint = ": " + g.cfg.LimitHint
		}
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: %s text is %d bytes, more than the %d allowed%s", strings.ToLower(string(source)), len(text), g.cfg.MaxTextBytes, hint)
	}
	if s == nil {
		s = g.NewSession(nil)
	}
	sc := newScan(text, g.lx, &g.scans)
	defer sc.release(&g.scans)
	sc.output = source == SourceOutput
	c := &check{g: g, s: s, source: source, text: text, toks: sc.toks, sc: sc}
	c.pii()
	c.wordFilters()
	c.topics()
	c.attacks()

	res := &Result{Source: source, Text: applyEdits(text, c.edits), Action: OutcomeNone, Findings: c.findings}
	for _, f := range c.findings {
		if f.Action != OutcomeNone && f.Action != OutcomeDetected {
			res.Action = OutcomeAnonymized
		}
	}
	if len(c.blocked) == 0 && g.cfg.Remote != nil {
		if err := g.applyRemote(ctx, source, res, &c.blocked); err != nil {
			return nil, err
		}
	}
	res.Flags = flagsOf(source, res.Findings)
	if len(c.blocked) > 0 {
		res.Action = OutcomeBlocked
		g.log.DebugContext(ctx, "guard blocked", "result", res)
		res.rules = c.blocked
		return res, blockError(source, c.blocked)
	}
	g.log.DebugContext(ctx, "guard checked", "result", res)
	return res, nil
}

// check is the state of one Check call.
type check struct {
	g        *Guard
	s        *Session
	source   Source
	text     string
	toks     []token
	sc       *scan
	findings []Finding
	edits    []edit
	piiEdits []edit // the PII edits, sorted by start, not overlapping
	blocked  []blockRule
}

// pii applies the entity policy of the source to the personal data found.
func (c *check) pii() {
	policy := c.g.cfg.Input
	if c.source == SourceOutput {
		policy = c.g.cfg.Output
	}
	spans := c.g.detect(c.s, c.sc)
	if c.source == SourceOutput {
		spans = c.g.disguised(c.s, c.text, spans)
	}
	c.findings = make([]Finding, 0, len(spans))
	c.edits = make([]edit, 0, len(spans))
	for _, sp := range spans {
		f := Finding{Kind: KindPII, Type: string(sp.typ), Start: sp.start, End: sp.end, Score: sp.score}
		switch policy[sp.typ] {
		case ActionAnonymize:
			f.Action = OutcomeAnonymized
			f.Placeholder = c.s.placeholder(sp.typ, c.text[sp.start:sp.end])
			c.edits = append(c.edits, edit{sp.start, sp.end, f.Placeholder})
		case ActionBlock:
			f.Action = OutcomeBlocked
			c.blocked = append(c.blocked, piiRule(c.source, sp.typ))
			c.edits = append(c.edits, edit{sp.start, sp.end, "{" + string(sp.typ) + "}"})
		default:
			f.Action = OutcomeNone
		}
		c.findings = append(c.findings, f)
	}
	// detect returns spans sorted by start; later edits are appended
	// beyond piiEdits' capacity, and applyEdits sorts only after the checks
	c.piiEdits = c.edits[:len(c.edits):len(c.edits)]
}

// covered reports whether [a,b) overlaps a PII edit.
func (c *check) covered(a, b int) bool {
	k := sort.Search(len(c.piiEdits), func(i int) bool { return c.piiEdits[i].end > a })
	return k < len(c.piiEdits) && c.piiEdits[k].start < b
}

// wordFilters masks or blocks profanity and custom words.
func (c *check) wordFilters() {
	for _, h := range c.g.words.detect(c.toks) {
		typ, act := "PROFANITY", c.g.cfg.Profanity
		if h.custom {
			typ, act = "CUSTOM", c.g.cfg.CustomWordAction
		}
		f := Finding{Kind: KindWord, Type: typ, Start: h.start, End: h.end, Score: 1, Action: OutcomeNone}
		switch act {
		case ActionMask:
			f.Action = OutcomeMasked
		case ActionBlock:
			f.Action = OutcomeBlocked
			c.blocked = append(c.blocked, wordRule(h.custom))
		}
		if f.Action != OutcomeNone && !c.covered(h.start, h.end) {
			c.edits = append(c.edits, edit{h.start, h.end, maskWord(c.text[h.start:h.end])})
		}
		c.findings = append(c.findings, f)
	}
}

// topics records or blocks denied topics.
func (c *check) topics() {
	for _, h := range detectTopics(c.g.topics, c.text, c.toks) {
		t := c.g.topics[h.topic]
		act := t.Input
		if c.source == SourceOutput {
			act = t.Output
		}
		f := Finding{Kind: KindTopic, Type: t.Name, Start: h.start, End: h.end, Score: h.score, Action: OutcomeDetected}
		if act == ActionBlock {
			f.Action = OutcomeBlocked
			c.blocked = append(c.blocked, topicRule(c.source, t.Name))
		}
		c.findings = append(c.findings, f)
	}
}

// attacks neutralises, blocks or records prompt attacks.
func (c *check) attacks() {
	for _, h := range detectAttacks(c.sc) {
		if h.name == "delimiter_tag" && c.g.trusted[normTag(c.text[h.start:h.end])] {
			continue
		}
		f := Finding{Kind: KindPromptAttack, Type: h.name, Start: h.start, End: h.end, Score: 0.9, Action: OutcomeDetected}
		switch c.g.cfg.PromptAttack {
		case ActionBlock:
			f.Action = OutcomeBlocked
			c.blocked = append(c.blocked, attackRule())
		case ActionAnonymize:
			f.Action = OutcomeNeutralized
			c.edits = append(c.edits, neutralize(c.text, h.start, h.end, c.piiEdits)...)
		}
		c.findings = append(c.findings, f)
	}
}

// applyRemote runs the Remote guardrail on the masked text.
func (g *Guard) applyRemote(ctx context.Context, source Source, res *Result, blocked *[]blockRule) error {
	rr, err := g.cfg.Remote.Apply(ctx, source, res.Text)
	if err != nil {
		if g.cfg.RemoteFailOpen {
			g.log.WarnContext(ctx, "remote guardrail failed; continuing (fail open)", "code", ticketsum.ErrorCodeOf(err))
			res.Findings = append(res.Findings, Finding{Kind: KindRemote, Type: "UNAVAILABLE", Action: OutcomeDetected})
			return nil
		}
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "guard: remote guardrail failed on the %s: %w", strings.ToLower(string(source)), err)
	}
	if rr == nil {
		return nil
	}
	action := rr.Action
	// A guardrail that says BLOCKED but whose every finding was only
	// anonymised, with masked text, has masked, not blocked.
	if action == OutcomeBlocked && rr.Text != "" && len(rr.Findings) > 0 {
		onlyMasked := true
		for _, f := range rr.Findings {
			if f.Action != OutcomeAnonymized {
				onlyMasked = false
			}
		}
		if onlyMasked {
			action = OutcomeAnonymized
		}
	}
	for _, f := range rr.Findings {
		f.Kind = KindRemote
		res.Findings = append(res.Findings, f)
	}
	switch action {
	case OutcomeBlocked:
		*blocked = append(*blocked, remoteRule())
		if len(rr.Findings) == 0 {
			res.Findings = append(res.Findings, Finding{Kind: KindRemote, Type: "GUARDRAIL", Action: OutcomeBlocked})
		}
	case OutcomeAnonymized:
		if rr.Text == "" {
			return ticketsum.Errorf(ticketsum.EINTERNAL, "guard: remote guardrail anonymised the %s but returned no text", strings.ToLower(string(source)))
		}
		res.Text = rr.Text
		res.Action = OutcomeAnonymized
		if len(rr.Findings) == 0 {
			res.Findings = append(res.Findings, Finding{Kind: KindRemote, Type: "GUARDRAIL", Action: OutcomeAnonymized})
		}
	}
	return nil
}

// neutralize returns the edits that fence a prompt attack at [start,end):
// markers around it and delimiter characters inside defanged, leaving alone
// parts already replaced by existing edits (sorted by start, not
// overlapping).
func neutralize(text string, start, end int, existing []edit) []edit {
	out := []edit{{start, start, attackOpen}}
	for i, r := range text[start:end] {
		p := start + i
		n := utf8.RuneLen(r)
		d := defang.Replace(string(r))
		if d == string(r) {
			continue
		}
		k := sort.Search(len(existing), func(i int) bool { return existing[i].end > p })
		if k == len(existing) || existing[k].start >= p+n {
			out = append(out, edit{p, p + n, d})
		}
	}
	return append(out, edit{end, end, attackClose})
}

// applyEdits applies non-overlapping edits; an edit that overlaps an earlier
// one (by start) is dropped, and inserts come before replacements at the
// same offset.
func applyEdits(text string, edits []edit) string {
	if len(edits) == 0 {
		return text
	}
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end-edits[i].start < edits[j].end-edits[j].start
	})
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			if e.start == e.end && e.start == pos {
				b.WriteString(e.repl)
			}
			continue
		}
		b.WriteString(text[pos:e.start])
		b.WriteString(e.repl)
		pos = e.end
	}
	b.WriteString(text[pos:])
	return b.String()
}

// normTag lower-cases a tag and drops its spaces.
func normTag(t string) string {
	return strings.ToLower(strings.Join(strings.Fields(t), ""))
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
