package builtin

import (
	"strings"

	"github.com/ticketsum/ticketsum"
)

// A multi-issue ticket lists its issues ("1. ... 2. ...", "1) ..., 2)
// ...", "Two problems: X, and Y"); its summary names each of them, and the
// actions the agent completed for them.

// countWords open a list of issues: "Two problems:", "A few things:".
var countWords = map[string]string{"two": "two", "three": "three", "four": "four", "several": "several", "a few": "several"}

// listItems returns the issues a customer's message enumerates, or nil.
func listItems(text string) []string {
	var items []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && stepNumber(f[0]) {
			items = append(items, strings.Join(f[1:], " "))
		}
	}
	if len(items) >= 2 {
		return items
	}
	items = nil
	words := strings.Fields(text)
	start := -1
	for i, w := range words {
		if len(w) == 2 && w[0] >= '1' && w[0] <= '9' && w[1] == ')' {
			if start >= 0 {
				items = append(items, strings.Join(words[start:i], " "))
			}
			start = i + 1
		}
	}
	for i, it := range items {
		f := strings.Fields(strings.TrimRight(it, ", "))
		for len(f) > 1 && (strings.EqualFold(f[len(f)-1], "and") || strings.EqualFold(f[len(f)-1], "or")) {
			f = f[:len(f)-1]
		}
		items[i] = strings.TrimRight(strings.Join(f, " "), ",")
	}
	if start >= 0 && len(items) >= 1 {
		rest := words[start:]
		for k, w := range rest {
			if strings.ContainsAny(w[len(w)-1:], ".?!") {
				rest = rest[:k+1]
				break
			}
		}
		items = append(items, strings.Join(rest, " "))
		return items
	}
	return countedItems(text)
}

// countedItems splits "Two problems: X, and Y." into X and Y.
func countedItems(text string) []string {
	lower := strings.ToLower(text)
	for c := range countWords {
		for _, noun := range []string{"problems:", "issues:", "questions:", "things:", "things please:", "things are wrong:"} {
			i := strings.Index(lower, c+" "+noun)
			if i < 0 || i > 40 {
				continue
			}
			rest := text[i+len(c)+1+len(noun):]
			if end := strings.IndexAny(rest, "\n"); end > 0 {
				rest = rest[:end]
			}
			for _, sep := range []string{", and ", "; ", " and why ", ", and why "} {
				if parts := strings.Split(rest, sep); len(parts) >= 2 {
					return parts
				}
			}
		}
	}
	// "... and now: the printer isn't found, the drawer won't open, and
	// the reader keeps disconnecting."
	if i := strings.Index(text, ": "); i > 0 && i < 120 {
		rest := text[i+2:]
		if end := strings.IndexAny(rest, ".?!\n"); end > 0 {
			rest = rest[:end]
		}
		if j := strings.LastIndex(rest, ", and "); j > 0 && strings.Count(rest[:j], ", ") >= 1 {
			parts := strings.Split(rest[:j], ", ")
			return append(parts, rest[j+len(", and "):])
		}
	}
	return nil
}

// multiIssue states each issue a customer listed, within budget words, or
// returns "".
func (s *Summarizer) multiIssue(d *digest, budget int) string {
	var first string
	for _, tu := range d.turns {
		if tu.role == ticketsum.RoleCustomer {
			first = tu.text
			break
		}
	}
	items := listItems(first)
	if len(items) < 2 || len(items) > 4 {
		return ""
	}
	frame := "The customer raised " + [...]string{"", "", "two", "three", "four"}[len(items)] + " issues:"
	per := (budget - wordCount(frame)) / len(items)
	var clauses []string
	for _, it := range items {
		c, ok := itemClause(d.scrub, it, per)
		if !ok {
			return ""
		}
		clauses = append(clauses, c)
	}
	text := frame + " " + joinClauses(clauses) + "."
	if s.personal(d, text) {
		return ""
	}
	return text
}

// itemClause states one listed issue in the third person within max words.
func itemClause(sc *scrubber, item string, max int) (string, bool) {
	sents := splitSentences(item)
	if len(sents) == 0 {
		return "", false
	}
	text, _, broken := sc.scrub(sents[0], false)
	if broken || strings.Contains(text, "an email address") || strings.Contains(text, "a link") {
		// "go to my old address, a@b.example, can you change it": keep the
		// clause before the removed value.
		i := strings.IndexByte(sents[0], ',')
		if i < 0 {
			return "", false
		}
		if text, _, broken = sc.scrub(sents[0][:i], false); broken {
			return "", false
		}
	}
	words := stripLead(calm(strings.Fields(text)))
	if len(words) < 2 {
		return "", false
	}
	var body string
	if strings.HasSuffix(text, "?") || looksAsked(words) || inLower(auxWords, trimPunct(words[0])) {
		b, ok := indirect(words, firstPerson)
		if !ok {
			return "", false
		}
		body = b
	} else {
		body = rewrite(words, firstPerson)
	}
	out, ok := shorten(strings.Fields(body), max)
	if !ok || endsBroken(out) || len(out) < len(strings.Fields(body)) && endsDangling(out) {
		return "", false
	}
	return strings.TrimRight(strings.Join(out, " "), ".!?,;: "), true
}

// joinClauses joins clauses as "a; b; and c".
func joinClauses(cs []string) string {
	if len(cs) == 2 {
		return cs[0] + "; and " + cs[1]
	}
	return strings.Join(cs[:len(cs)-1], "; ") + "; and " + cs[len(cs)-1]
}

// multiAction states the completed actions of the agent's reply to a
// multi-issue ticket, within budget words, or returns "".
func (s *Summarizer) multiAction(d *digest, budget int) string {
	var clauses []string
	used := wordCount("The agent")
	for i := range d.agent {
		st := &d.agent[i]
		words := stripLead(st.words)
		k := completed(words)
		if k < 0 || len(clauses) == 4 {
			continue
		}
		w := words[k+1:]
		if strings.EqualFold(trimPunct(words[k+1]), "have") || strings.EqualFold(trimPunct(words[k+1]), "'ve") {
			w = words[k+2:]
		} else if strings.HasSuffix(strings.ToLower(words[k]), "'ve") {
			w = words[k+1:]
		}
		body, ok := shorten(strings.Fields(rewrite(w, agentPerson)), min(12, budget-used))
		if !ok || len(body) < 2 || endsBroken(body) || inLower(referringEnd, trimPunct(body[len(body)-1])) {
			continue
		}
		c := strings.TrimRight(strings.Join(body, " "), ".!?,;: ")
		if s.personal(d, c) {
			continue
		}
		clauses = append(clauses, c)
		used += len(body) + 1
	}
	if len(clauses) < 2 {
		return ""
	}
	return "The agent " + joinClauses(clauses) + "."
}
