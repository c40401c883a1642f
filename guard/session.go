package guard

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// Session is the per-ticket state of the guard: the ticket's known people
// and the vault that maps each value found to its placeholder, so that the
// same value gets the same placeholder in every message and in the input and
// output of a call. It is safe for concurrent use. Keep it only as long as
// the ticket is being processed: it holds personal data in memory.
type Session struct {
	mu     sync.Mutex
	known  map[string]bool // folded parts of known people's names
	people []person
	emails map[string]role // lower-case known emails

	byKey   map[string]string     // type + canonical value -> placeholder
	names   []nameEntry           // names seen, for merging "Anna" with "Anna Berg"
	entries map[string]vaultEntry // placeholder -> original
	counts  map[EntityType]int

	// learned holds the parts of names found in earlier texts, which a
	// scan propagates as it does a name found in its own text; set by
	// learnNames and replaced, never changed.
	learned map[string]bool

	cleanBy *Guard              // the guard that found clean
	clean   map[string]struct{} // texts it found no personal data in (noteClean)
}

// maxCleanTexts bounds the texts a session remembers as clean.
const maxCleanTexts = 64

// nameCount is how many names the session has masked in the texts it
// checked.
func (s *Session) nameCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.names)
}

// learnNames makes the parts of every name the session has masked known
// to later scans, which then mask such a part standing alone by the rule
// that masks a found name's parts within one text (three letters or more,
// not a stop word or a given name that is also a common word).
func (s *Session) learnNames(lx *lexicon) {
	s.mu.Lock()
	defer s.mu.Unlock()
	learned := map[string]bool{}
	for _, n := range s.names {
		for part := range n.parts {
			if len(part) >= 3 && !lx.stop[part] && !lx.ambiguous[part] {
				learned[part] = true
			}
		}
	}
	s.learned = learned
}

// learnedParts returns the parts learnNames made known; s may be nil.
func (s *Session) learnedParts() map[string]bool {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.learned
}

// markClean records that g found no personal data in text.
func (s *Session) markClean(g *Guard, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cleanBy != g {
		s.cleanBy, s.clean = g, nil
	}
	if s.clean == nil {
		s.clean = map[string]struct{}{}
	}
	if len(s.clean) < maxCleanTexts {
		s.clean[text] = struct{}{}
	}
}

// isClean reports whether g found no personal data in text with this
// session. s may be nil.
func (s *Session) isClean(g *Guard, text string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.clean[text]
	return ok && s.cleanBy == g
}

type role string

const (
	roleNone     role = ""
	roleCustomer role = "customer"
	roleAgent    role = "agent"
)

type person struct {
	parts []string // folded name parts
	role  role
}

type nameEntry struct {
	parts       map[string]bool
	placeholder string
}

type vaultEntry struct {
	typ   EntityType
	value string
	role  role
}

// NewSession returns a session for ticket t: its customer and message
// authors become known people, found in the text in any case and with or
// without accents, by full name or by any part of it. t may be nil.
func (g *Guard) NewSession(t *ticketsum.Ticket) *Session {
	s := &Session{
		known:   map[string]bool{},
		emails:  map[string]role{},
		byKey:   map[string]string{},
		entries: map[string]vaultEntry{},
		counts:  map[EntityType]int{},
	}
	if t == nil {
		return s
	}
	s.addPerson(t.Customer.Name, roleCustomer, g.lx)
	s.addPerson(t.Customer.Email, roleCustomer, g.lx)
	for _, m := range t.Messages {
		r := roleAgent
		if m.Role == ticketsum.RoleCustomer {
			r = roleCustomer
		}
		s.addPerson(m.Author, r, g.lx)
	}
	return s
}

func (s *Session) addPerson(v string, r role, lx *lexicon) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if strings.Contains(v, "@") {
		if _, ok := s.emails[strings.ToLower(v)]; !ok {
			s.emails[strings.ToLower(v)] = r
		}
		return
	}
	p := person{role: r}
	for _, t := range tokenize(v) {
		if t.letters && utf8.RuneCountInString(t.word(v)) >= 2 && !lx.stop[t.folded] {
			p.parts = append(p.parts, t.folded)
			s.known[t.folded] = true
		}
	}
	if len(p.parts) > 0 {
		s.people = append(s.people, p)
	}
}

// canonical returns the form of a value that identifies it in the vault.
func canonical(t EntityType, v string) string {
	switch t {
	case Phone, CardNumber, USSSN, USBankRouting, USBankAccount, CardCVV, PIN:
		return digitsOf(v)
	case Password, AWSSecretKey, AWSAccessKey:
		return v
	case IBAN, UKNationalInsurance, VIN, SWIFTCode, LicensePlate, DriverID:
		return strings.ToUpper(strings.Join(strings.Fields(v), ""))
	}
	return strings.Join(strings.Fields(fold(v)), " ")
}

// placeholder returns the placeholder of value v of type t, assigning the
// next number of its type the first time the value is seen.
func (s *Session) placeholder(t EntityType, v string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := string(t) + "\x00" + canonical(t, v)
	if p, ok := s.byKey[key]; ok {
		return p
	}
	r := roleNone
	var parts map[string]bool
	if t == Name {
		parts = map[string]bool{}
		for _, tok := range tokenize(v) {
			if tok.letters {
				parts[tok.folded] = true
			}
		}
		r = s.personRole(parts)
		// the same person written differently: "Anna" after "Anna Berg"
		for i, n := range s.names {
			if subset(parts, n.parts) {
				s.byKey[key] = n.placeholder
				return n.placeholder
			}
			if subset(n.parts, parts) {
				// "Anna Berg" after "Anna": the entry now stands for the
				// longer name, so a later "Anna Olsen" gets its own.
				s.names[i].parts = parts
				s.byKey[key] = n.placeholder
				return n.placeholder
			}
		}
	}
	if t == Email {
		r = s.emails[strings.ToLower(v)]
	}
	s.counts[t]++
	p := "{" + string(t) + "_" + strconv.Itoa(s.counts[t]) + "}"
	s.byKey[key] = p
	s.entries[p] = vaultEntry{typ: t, value: v, role: r}
	if t == Name {
		s.names = append(s.names, nameEntry{parts: parts, placeholder: p})
	}
	return p
}

// personRole returns the role of the known person whose name parts include
// all of parts.
func (s *Session) personRole(parts map[string]bool) role {
	for _, p := range s.people {
		all := len(parts) > 0
		for w := range parts {
			found := false
			for _, q := range p.parts {
				if q == w {
					found = true
					break
				}
			}
			if !found {
				all = false
				break
			}
		}
		if all {
			return p.role
		}
	}
	return roleNone
}

func subset(a, b map[string]bool) bool {
	if len(a) == 0 {
		return false
	}
	for w := range a {
		if !b[w] {
			return false
		}
	}
	return true
}

var rePlaceholder = regexp.MustCompile(`\{([A-Z_]+)_(\d{1,6})\}`)

// Restore replaces the session's placeholders in text with the values they
// stand for. Use it only where personal data may be shown, never before
// logging.
func (s *Session) Restore(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return rePlaceholder.ReplaceAllStringFunc(text, func(p string) string {
		if e, ok := s.entries[p]; ok {
			return e.value
		}
		return p
	})
}

// knownParts returns the folded name parts of the ticket's known people.
func (s *Session) knownParts() map[string]bool {
	if s == nil {
		return nil
	}
	return s.known
}

// entry returns the vault entry of placeholder p.
func (s *Session) entry(p string) (vaultEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[p]
	return e, ok
}
