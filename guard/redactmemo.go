package guard

import (
	"maps"
	"strings"
	"sync"
	"sync/atomic"
)

// The clean-text memo's bounds: at most maxMemoTexts texts of at most
// maxMemoBytes each, with their word sets (under 3 MiB in all at worst).
// When it is full, the next text starts a new memo.
const (
	maxMemoTexts = 32
	maxMemoBytes = 16 << 10
)

// cleanMemo remembers texts a scan found no personal data in, so that
// RedactContext returns them without scanning again: the system prompt,
// the same text on nearly every call. Readers load an immutable map
// without a lock; a writer (a miss, rare once the memo holds the texts
// that repeat) copies it under mu.
type cleanMemo struct {
	mu    sync.Mutex
	texts atomic.Pointer[map[string]*memoText]
}

// memoText is what a text's session-dependent matches depend on.
type memoText struct {
	words map[string]struct{} // the folded form of each of its scan's tokens
	at    bool                // it contains an '@'
}

// clean reports whether text is in the memo and a scan with s would find
// in it what a scan without a session found: nothing. s may be nil.
func (m *cleanMemo) clean(s *Session, text string) bool {
	p := m.texts.Load()
	if p == nil || len(text) > maxMemoBytes {
		return false
	}
	e, ok := (*p)[text]
	return ok && e.sessionFree(s)
}

// sessionFree reports whether a scan with s finds in the text what a scan
// without a session does. The session adds three things to a scan, each
// only through the text's own words or an '@' in it:
//   - its known people's name parts, which detectNames matches only as a
//     token's folded form (isKnown; the wordMask prefilter merely skips
//     tokens sooner, TestNamesMayStart);
//   - the name parts it learned (learnNames), which propagate matches only
//     as a token's folded form;
//   - its known e-mail addresses, matched in the lower-cased text: each
//     holds an '@', and no rune but '@' lower-cases to '@' (the only runes
//     beyond ASCII that lower-case to ASCII are 'İ' and the Kelvin sign,
//     TestRunesLowerToASCII).
//
// words holds every token's folded form, the very strings those matches
// compare, so a text is session-free only when no match can be made.
func (e *memoText) sessionFree(s *Session) bool {
	if s == nil {
		return true
	}
	if e.at && len(s.emails) > 0 {
		return false
	}
	for p := range s.knownParts() {
		if _, ok := e.words[p]; ok {
			return false
		}
	}
	for p := range s.learnedParts() {
		if _, ok := e.words[p]; ok {
			return false
		}
	}
	return true
}

// add remembers text, in which a scan with s whose tokens are toks found
// nothing, when s cannot have changed that scan (sessionFree): a scan
// without a session then finds nothing too. toks' folded forms are copied,
// since those of ASCII words are slices of the scan's reused buffer.
func (m *cleanMemo) add(s *Session, text string, toks []token) {
	if len(text) > maxMemoBytes {
		return
	}
	if p := m.texts.Load(); p != nil {
		if _, ok := (*p)[text]; ok {
			return // a session that knows one of its words: not session-free
		}
	}
	e := &memoText{words: make(map[string]struct{}, len(toks)), at: strings.Contains(text, "@")}
	for i := range toks {
		if _, ok := e.words[toks[i].folded]; !ok {
			e.words[strings.Clone(toks[i].folded)] = struct{}{}
		}
	}
	if !e.sessionFree(s) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next := map[string]*memoText{}
	if p := m.texts.Load(); p != nil && len(*p) < maxMemoTexts {
		next = maps.Clone(*p)
	}
	next[strings.Clone(text)] = e // not a slice of a larger string the memo would keep
	m.texts.Store(&next)
}
