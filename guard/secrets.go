package guard

import (
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// gitleaksRules is gitleaks' rule set for secrets (see the file's header for
// its origin, version and licence).
//
//go:embed gitleaks.toml
var gitleaksRules string

// ruleFile is the part of a gitleaks configuration the guard reads.
type ruleFile struct {
	Allowlist allowlistDef `toml:"allowlist"`
	Rules     []ruleDef    `toml:"rules"`
}

type ruleDef struct {
	ID          string         `toml:"id"`
	Description string         `toml:"description"`
	Regex       string         `toml:"regex"`
	Entropy     float64        `toml:"entropy"`
	SecretGroup int            `toml:"secretGroup"`
	Keywords    []string       `toml:"keywords"`
	Allowlists  []allowlistDef `toml:"allowlists"`
}

type allowlistDef struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	Stopwords   []string `toml:"stopwords"`
}

// secretRule is a compiled gitleaks rule.
type secretRule struct {
	id      string
	re      *lazyRE
	entropy float64
	group   int    // 0: the first group that matched, as gitleaks does
	keys    *kwSet // nil: the rule has no keywords and runs on every candidate
	allow   []allowlist
	// whole redacts the whole match rather than the secret group (rules
	// whose groups are only parts of the secret)
	whole bool
	// assign marks the rules of gitleaks' "keyword, then = or :, then the
	// value" shape: a keyword counts only when an assignment follows it
	assign bool
}

// allowlist is a compiled gitleaks allowlist: a finding is allowed when a
// regular expression matches its target (the secret, the whole match or
// its line) or the secret contains a stopword.
type allowlist struct {
	target string // "secret", "match" or "line"
	res    []*lazyRE
	stop   []string // lower case
}

// secretRules is the compiled rule set, with the global allowlist.
type secretRuleSet struct {
	rules  []secretRule
	global allowlist
	words  []string // every rule keyword, lower case; keywordMatcher finds them with the declared keywords
	kwRule [][]int  // keyword id (index in words) -> rules that have it
	always []int    // rules without keywords
}

// gitleaks ends most token patterns with codeEnd: the token must be
// followed by a quote, white space, a semicolon, an escaped line break or
// the end of the text, as in source code. In a ticket a pasted token as
// often ends a sentence or a clause, so the guard also accepts . , ! ? ) ]
// and > after it; this is the only change made to the rules.
const (
	codeEnd  = `(?:[\x60'"\s;]|\\[nr]|$)`
	proseEnd = `(?:[\x60'"\s;.,!?)\]>]|\\[nr]|$)`
)

// assignOperator is the operator group of gitleaks' keyword-assignment
// rules (generic-api-key and the vendor rules built like it).
const assignOperator = `(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`

// assignAfter reports whether an assignment operator follows the keyword
// ending at lower[end] within the room those rules leave: up to 20 word
// characters, spaces, dots or dashes, then up to 3 spaces or quotes.
func assignAfter(lower string, end int) bool {
	for j := end; j < len(lower) && j-end <= 24; j++ {
		switch assignBytes[lower[j]] {
		case assignOp:
			return true
		case assignOther:
			return false
		}
	}
	return false
}

// Classes of assignBytes.
const (
	assignOther = iota // ends the room before an operator
	assignOp           // an operator's first byte: = : > , | ?
	assignRoom         // an ASCII letter or digit, white space, . _ - ' or "
)

// assignBytes classifies the bytes for assignAfter.
var assignBytes = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch b := byte(c); {
		case strings.IndexByte("=:>,|?", b) >= 0:
			t[c] = assignOp
		case byteClass[b] == bLetter || byteClass[b] == bDigit || strings.IndexByte(" \t\n\r._-'\"", b) >= 0:
			t[c] = assignRoom
		}
	}
	return t
}()

// impliedKeywords are keywords for the rules gitleaks gives none (and runs
// on every fragment), taken from their regular expressions, which cannot
// match without one of them: database-password needs "db_password",
// "database_password" or "pwd".
var impliedKeywords = map[string][]string{"database-password": {"passw", "pwd"}}

// wholeMatchRules have capture groups that hold only part of the secret.
var wholeMatchRules = map[string]bool{"microsoft-teams-webhook": true}

// loadSecretRules parses and compiles the embedded gitleaks rules.
func loadSecretRules() (*secretRuleSet, error) {
	var f ruleFile
	if _, err := toml.Decode(gitleaksRules, &f); err != nil {
		return nil, fmt.Errorf("gitleaks rules: %w", err)
	}
	set := &secretRuleSet{}
	var err error
	if set.global, err = compileAllowlist(f.Allowlist); err != nil {
		return nil, err
	}
	index := map[string]int{}
	for _, d := range f.Rules {
		re, err := newLazyRE(strings.ReplaceAll(d.Regex, codeEnd, proseEnd))
		if err != nil {
			return nil, fmt.Errorf("gitleaks rule %s: %w", d.ID, err)
		}
		r := secretRule{id: d.ID, re: re, entropy: d.Entropy, group: d.SecretGroup, whole: wholeMatchRules[d.ID], assign: strings.Contains(d.Regex, assignOperator)}
		for _, a := range d.Allowlists {
			al, err := compileAllowlist(a)
			if err != nil {
				return nil, fmt.Errorf("gitleaks rule %s: %w", d.ID, err)
			}
			r.allow = append(r.allow, al)
		}
		n := len(set.rules)
		keywords := d.Keywords
		if len(keywords) == 0 {
			keywords = impliedKeywords[d.ID]
		}
		if len(keywords) == 0 {
			set.always = append(set.always, n)
		}
		for _, k := range keywords {
			k = strings.ToLower(k)
			id, ok := index[k]
			if !ok {
				id = len(set.words)
				index[k] = id
				set.words = append(set.words, k)
				set.kwRule = append(set.kwRule, nil)
			}
			set.kwRule[id] = append(set.kwRule[id], n)
		}
		set.rules = append(set.rules, r)
	}
	return set, nil
}

func compileAllowlist(d allowlistDef) (allowlist, error) {
	if d.Condition != "" && !strings.EqualFold(d.Condition, "OR") {
		return allowlist{}, fmt.Errorf("allowlist %q: condition %s is not supported", d.Description, d.Condition)
	}
	a := allowlist{target: d.RegexTarget}
	if a.target == "" {
		a.target = "secret"
	}
	for _, s := range d.Regexes {
		re, err := newLazyRE(s)
		if err != nil {
			return allowlist{}, fmt.Errorf("allowlist %q: %w", d.Description, err)
		}
		a.res = append(a.res, re)
	}
	for _, w := range d.Stopwords {
		a.stop = append(a.stop, strings.ToLower(w))
	}
	return a, nil
}

// compiledSecretRules returns the rule set, compiled once.
var compiledSecretRules = sync.OnceValues(loadSecretRules)

// lazyRE is a rule's regular expression, parsed when the rules are loaded
// (so that a bad expression is still an error there, with regexp's own
// message) and compiled the first time it runs. Compiling all of them
// (the 72 rules and their allowlists) was about 12M instructions, most
// of the first check's own work in a new process, where a check runs few
// rules: a rule runs only where its keyword is. Compiling an expression
// that parses cannot fail (regexp's size limits are checked by the
// parser); TestSecretRulesCompile compiles every one.
type lazyRE struct {
	src string
	re  func() (*regexp.Regexp, error)
}

func newLazyRE(src string) (*lazyRE, error) {
	if _, err := syntax.Parse(src, syntax.Perl); err != nil {
		return nil, err // what regexp.Compile returns for it
	}
	return &lazyRE{src: src, re: sync.OnceValues(func() (*regexp.Regexp, error) { return regexp.Compile(src) })}, nil
}

// String returns the expression's source.
func (l *lazyRE) String() string { return l.src }

// FindAllStringSubmatchIndex is regexp's, the expression compiled on first
// use.
func (l *lazyRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	re, err := l.re()
	if err != nil {
		return nil // cannot happen: it parsed (TestSecretRulesCompile)
	}
	return re.FindAllStringSubmatchIndex(s, n)
}

// MatchString is regexp's, the expression compiled on first use.
func (l *lazyRE) MatchString(s string) bool {
	re, err := l.re()
	if err != nil {
		return false // cannot happen: it parsed (TestSecretRulesCompile)
	}
	return re.MatchString(s)
}

// allowed reports whether the allowlist lets a finding through.
func (a *allowlist) allowed(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	for _, re := range a.res {
		if re.MatchString(target) {
			return true
		}
	}
	if len(a.stop) > 0 {
		lower := strings.ToLower(secret)
		for _, w := range a.stop {
			if strings.Contains(lower, w) {
				return true
			}
		}
	}
	return false
}

// shannonEntropy returns the Shannon entropy of s in bits per character,
// as gitleaks computes it.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	e, n := 0.0, float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}

// Keywords of the secrets that can span lines or hold short values, which
// the candidate runs do not find: private keys, curl command lines and
// passwords in URLs.
var (
	kwPrivateKey = kw("-----begin")
	kwCurl       = kw("curl")
	kwScheme     = kw("://")
)

// Window sizes of the secret rules: the keyword of an assignment comes at
// most about 80 bytes before its value; a private key's body and a curl
// command line run longer.
const (
	secretBefore     = 80
	privateKeyWindow = 16 << 10
	curlWindow       = 1 << 10
)

// secretJoin holds the characters that join words into a secret value:
// base64, URL-safe base64 and the separators of token formats.
var secretJoin = [256]bool{'_': true, '-': true, '+': true, '/': true, '=': true, '.': true, '~': true}

// secretCandidates returns the runs of text that can hold a secret value:
// words joined by secretJoin characters, at least eight bytes long, with a
// digit or one of _ + / = ~ (a value of letters alone is no secret to
// gitleaks either). It reads the scan's words, not every byte, and
// appends the runs to out.
func secretCandidates(out [][2]int, text string, toks []token) [][2]int {
	for k := 0; k < len(toks); {
		start, end, mixed := toks[k].start, toks[k].end, !toks[k].letters
		for k++; k < len(toks); k++ {
			// most gaps are one space: their first byte ends the run
			// before the gap is sliced and read
			s := toks[k].start
			if s-end > 2 || s > end && !secretJoin[text[end]] {
				break
			}
			gap := text[end:s]
			if !joinedBy(gap) {
				break
			}
			if mixedJoin(gap) || !toks[k].letters {
				mixed = true
			}
			end = toks[k].end
		}
		// a run can also end in joining characters (base64 padding "==")
		for end < len(text) && secretJoin[text[end]] && text[end] != '.' {
			if text[end] != '-' {
				mixed = true
			}
			end++
		}
		if mixed && end-start >= 8 {
			out = append(out, [2]int{start, end})
		}
	}
	return out
}

// mixedJoin reports whether gap holds one of _ + / = ~, the joining
// characters that make a run of letters a mixed value.
func mixedJoin(gap string) bool {
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case '_', '+', '/', '=', '~':
			return true
		}
	}
	return false
}

// joinedBy reports whether gap is made of joining characters only (an
// empty gap joins words split at a non-ASCII letter).
func joinedBy(gap string) bool {
	for i := 0; i < len(gap); i++ {
		if !secretJoin[gap[i]] {
			return false
		}
	}
	return true
}

// detectSecrets finds credentials with the gitleaks rules, and passwords in
// URLs. Each rule's expression runs only in windows around candidate values
// and only when one of its keywords occurs there, as gitleaks runs a rule
// only on fragments that hold one of its keywords.
func detectSecrets(sc *scan, out []span) []span {
	set, err := compiledSecretRules()
	if err != nil {
		return out // cannot happen: the embedded rules are compiled by a test
	}
	sc.pts = secretCandidates(sc.pts[:0], sc.text, sc.toks)
	wins := sc.aroundIn(&sc.wins, &sc.cut, sc.pts, secretBefore, 2)
	for _, h := range sc.kw {
		switch {
		case kwPrivateKey.has(h.id):
			wins = append(wins, [2]int{int(h.start), min(int(h.start)+privateKeyWindow, len(sc.text))})
		case kwCurl.has(h.id):
			wins = append(wins, [2]int{int(h.start), min(int(h.start)+curlWindow, len(sc.text))})
		}
	}
	seen := map[[2]int]bool{}
	var inWin []kwHit
	run := make([]bool, len(set.rules))
	for _, w := range wins {
		clear(run)
		for _, r := range set.always {
			run[r] = true
		}
		inWin = set.hitsIn(inWin[:0], sc.secKW, w)
		for _, h := range inWin {
			end := int(h.start) + len(set.words[h.id])
			assign, known := false, false // assignAfter(sc.lower, end), asked once
			for _, r := range set.kwRule[h.id] {
				if run[r] {
					continue
				}
				if set.rules[r].assign {
					if !known {
						assign, known = assignAfter(sc.lower, end), true
					}
					if !assign {
						continue
					}
				}
				run[r] = true
			}
		}
		for r, ok := range run {
			if ok {
				out = set.apply(&set.rules[r], sc.text, w, seen, out)
			}
		}
	}
	return detectURLPasswords(sc, out)
}

// hitsIn appends to dst the hits (rule keywords in a text, by end) that lie
// inside text[w[0]:w[1]]: those that end in (w[0], w[1]] and start at w[0]
// or later, what a search of the window alone finds.
func (set *secretRuleSet) hitsIn(dst, hits []kwHit, w [2]int) []kwHit {
	k := sort.Search(len(hits), func(i int) bool { return int(hits[i].start)+len(set.words[hits[i].id]) > w[0] })
	for ; k < len(hits); k++ {
		h := hits[k]
		if int(h.start)+len(set.words[h.id]) > w[1] {
			break
		}
		if int(h.start) >= w[0] {
			dst = append(dst, h)
		}
	}
	return dst
}

// apply runs rule r in text[w[0]:w[1]] and appends the secrets it finds
// that pass its entropy threshold and allowlists.
func (set *secretRuleSet) apply(r *secretRule, text string, w [2]int, seen map[[2]int]bool, out []span) []span {
	for _, m := range r.re.FindAllStringSubmatchIndex(text[w[0]:w[1]], -1) {
		for k := range m {
			if m[k] >= 0 {
				m[k] += w[0]
			}
		}
		s, e := m[0], m[1]
		switch {
		case r.group > 0 && 2*r.group+1 < len(m) && m[2*r.group] >= 0:
			s, e = m[2*r.group], m[2*r.group+1]
		case r.group == 0:
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 && m[g+1] > m[g] {
					s, e = m[g], m[g+1]
					break
				}
			}
		}
		secret, match := text[s:e], text[m[0]:m[1]]
		if r.entropy > 0 && shannonEntropy(secret) <= r.entropy {
			continue
		}
		line := lineOf(text, m[0], m[1])
		if set.global.allowed(secret, match, line) || r.allowedBy(secret, match, line) {
			continue
		}
		if r.whole {
			s, e = m[0], m[1]
		}
		if seen[[2]int{s, e}] {
			continue
		}
		seen[[2]int{s, e}] = true
		out = append(out, span{s, e, r.typeOf(text[m[0]:s], secret), 0.95})
	}
	return out
}

func (r *secretRule) allowedBy(secret, match, line string) bool {
	for i := range r.allow {
		if r.allow[i].allowed(secret, match, line) {
			return true
		}
	}
	return false
}

// typeOf returns the entity type of a secret the rule found, lead being
// the text of the match before it: an AWS access key, a password (assigned
// to a password key, or a database or curl password), an AWS secret key (a
// 40-character key assigned to a secret), or else a credential.
func (r *secretRule) typeOf(lead, secret string) EntityType {
	switch r.id {
	case "aws-access-token":
		return AWSAccessKey
	case "database-password", "curl-auth-user":
		return Password
	case "generic-api-key":
		lead = strings.ToLower(lead)
		switch {
		case strings.Contains(lead, "passw") || strings.Contains(lead, "pwd"):
			return Password
		case len(secret) == 40 && strings.Contains(lead, "secret") && awsSecretShape(secret):
			return AWSSecretKey
		}
	}
	return Credential
}

// awsSecretShape reports whether s is written as AWS secret keys are:
// letters, digits, / and +, with upper and lower case and a digit.
func awsSecretShape(s string) bool {
	var upper, lower, digit bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		case c != '/' && c != '+':
			return false
		}
	}
	return upper && lower && digit
}

// lineOf returns the lines of text that hold text[s:e].
func lineOf(text string, s, e int) string {
	a := strings.LastIndexByte(text[:s], '\n') + 1
	b := strings.IndexByte(text[e:], '\n')
	if b < 0 {
		return text[a:]
	}
	return text[a : e+b]
}

// reURLPassword matches the user information of a URL that carries a
// password ("https://user:secret@host"). gitleaks' default rules have none
// for it, so this one is ticketsum's.
var reURLPassword = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.-]{1,20}://([^\s:/?#@'"<>]{1,128}:[^\s/?#@'"<>]{1,128})@[A-Za-z0-9.-]+`)

// detectURLPasswords finds the user and password of URLs that hold both.
func detectURLPasswords(sc *scan, out []span) []span {
	for _, m := range sc.whenNear(reURLPassword, 24, 300, kwScheme) {
		out = append(out, span{m[2], m[3], Password, 0.95})
	}
	return out
}
