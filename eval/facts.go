package eval

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Labels are the development-set labels of one ticket: the "labels"
// object of its record in a ticket file (docs/evaluation.md). Files
// without them are scored by ROUGE and the failure classes only.
type Labels struct {
	// Split is "dev" or "test": the test split is never tuned on.
	Split string `json:"split"`
	// Kinds name what makes the ticket hard: "html", "quoted", "german",
	// "spam", "multi-issue", "reopened", "autoreply-only", ...
	Kinds []string `json:"kinds"`
	// Forbidden are values that must not appear in a summary (names,
	// emails, phone numbers, profanity).
	Forbidden []string `json:"forbidden"`
	// Facts a good summary states. Each fact is alternatives separated by
	// "|"; it is found when one of them appears, each word of it matching
	// the start of a summary word ("refund" matches "refunded").
	Facts struct {
		Issue   []string `json:"issue"`
		Action  []string `json:"action"`
		Outcome []string `json:"outcome"`
	} `json:"facts"`
}

// Has reports whether the ticket is labelled with kind.
func (l *Labels) Has(kind string) bool {
	for _, k := range l.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// FactCheck is the labelled score of one summary.
type FactCheck struct {
	Split string `json:"split"`
	// IssueOK, ActionOK and OutcomeOK are true when every fact of that
	// part was found (a part without facts is OK).
	IssueOK   bool `json:"issue_ok"`
	ActionOK  bool `json:"action_ok"`
	OutcomeOK bool `json:"outcome_ok"`
	// Missing lists the facts not found, as labelled.
	Missing []string `json:"missing,omitempty"`
	// Leaked lists the forbidden values found.
	Leaked []string `json:"leaked,omitempty"`
	// Frame names a framing that misreads the ticket: "complaint_frame"
	// for "is complaining that" on a question, spam or praise.
	Frame string `json:"frame,omitempty"`
}

// CheckFacts scores a summary against a ticket's labels.
func CheckFacts(summary string, l *Labels) FactCheck {
	fc := FactCheck{Split: l.Split}
	tokens := factTokens(summary)
	part := func(facts []string) bool {
		ok := true
		for _, f := range facts {
			if !factFound(tokens, f) {
				fc.Missing = append(fc.Missing, f)
				ok = false
			}
		}
		return ok
	}
	fc.IssueOK, fc.ActionOK, fc.OutcomeOK = part(l.Facts.Issue), part(l.Facts.Action), part(l.Facts.Outcome)
	for _, v := range l.Forbidden {
		if v != "" && containsValue(summary, v) {
			fc.Leaked = append(fc.Leaked, v)
		}
	}
	if strings.Contains(summary, "complaining") && (l.Has("question") || l.Has("spam")) {
		fc.Frame = "complaint_frame"
	}
	return fc
}

// Good reports whether every fact was found, nothing forbidden leaked and
// the framing fits.
func (fc FactCheck) Good() bool {
	return fc.IssueOK && fc.ActionOK && fc.OutcomeOK && len(fc.Leaked) == 0 && fc.Frame == ""
}

var factTokenRE = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func factTokens(s string) []string { return factTokenRE.FindAllString(strings.ToLower(s), -1) }

// factFound reports whether one alternative of fact appears in the
// summary's tokens: its words in a row, each the start of a summary word;
// numbers and words of one or two letters must match whole.
func factFound(tokens []string, fact string) bool {
	for _, alt := range strings.Split(fact, "|") {
		want := factTokens(alt)
		if len(want) == 0 {
			continue
		}
		for i := 0; i+len(want) <= len(tokens); i++ {
			ok := true
			for j, w := range want {
				tok := tokens[i+j]
				if !strings.HasPrefix(tok, w) || (len(w) <= 2 || isDigits(w)) && tok != w {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// containsValue reports whether v appears in s as a whole word (case
// sensitive: forbidden names are capitalised where they leak).
func containsValue(s, v string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], v)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(v)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// ReadLabels reads the labels of the tickets in a JSON Lines ticket file,
// by ticket id. Records without labels, and lines that are not ticket
// objects, are left out: ReadDataset reports those.
func ReadLabels(r io.Reader) (map[string]*Labels, error) {
	out := map[string]*Labels{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"labels"`) {
			continue
		}
		var rec struct {
			ID     json.RawMessage `json:"id"`
			Labels *Labels         `json:"labels"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Labels == nil {
			continue
		}
		out[strings.Trim(string(rec.ID), `"`)] = rec.Labels
	}
	if err := sc.Err(); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "read labels: %w", err)
	}
	return out, nil
}

// loadLabels reads the labels of a dataset file; nil when it has none.
func loadLabels(path string) (map[string]*Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "open dataset: %w", err)
	}
	defer f.Close()
	labels, err := ReadLabels(f)
	if err != nil || len(labels) == 0 {
		return nil, err
	}
	return labels, nil
}
