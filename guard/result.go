package guard

import (
	"log/slog"
	"sort"
	"strings"
)

// Result is the outcome of checking one text.
type Result struct {
	// Source is INPUT or OUTPUT.
	Source Source `json:"source"`
	// Text is the checked text with personal data replaced by placeholders,
	// filtered words masked and prompt attacks neutralised. When Action is
	// BLOCKED, blocked values are replaced by their type tag, so Text holds
	// no value the policy anonymises or blocks and can be logged; it must not
	// be sent on.
	Text string `json:"-"`
	// Action is NONE, ANONYMIZED (something was replaced, the request
	// continues) or BLOCKED.
	Action Outcome `json:"action"`
	// Findings lists what was found, with offsets into the original text.
	Findings []Finding `json:"findings,omitempty"`
	// Flags are "input:NAME:ANONYMIZED"-style tags for Summary.Flags, one per
	// distinct kind of intervention, sorted.
	Flags []string `json:"flags,omitempty"`

	rules []blockRule // what blocked the text, for CheckTicket's error
}

// Blocked reports whether the text was blocked.
func (r *Result) Blocked() bool { return r != nil && r.Action == OutcomeBlocked }

// LogValue logs the action, the number of findings and the flags; never the
// text or a value.
func (r *Result) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("source", string(r.Source)),
		slog.String("action", string(r.Action)),
		slog.Int("findings", len(r.Findings)),
		slog.String("flags", strings.Join(r.Flags, ",")),
	)
}

// flagOf returns the Summary flag of finding f on source src.
func flagOf(src Source, f Finding) string {
	if f.Kind == KindPII {
		return src.flag() + ":" + f.Type + ":" + string(f.Action)
	}
	return src.flag() + ":" + string(f.Kind) + ":" + f.Type + ":" + string(f.Action)
}

func flagsOf(src Source, fs []Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if f.Action == OutcomeNone {
			continue
		}
		if k := flagOf(src, f); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
