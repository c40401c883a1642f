package guard

import (
	"fmt"
	"log/slog"
)

// Kind is the policy a finding comes from.
type Kind string

// The kinds of finding.
const (
	KindPII          Kind = "pii"           // personal data; Type is an EntityType
	KindTopic        Kind = "topic"         // a denied topic; Type is the topic's name
	KindWord         Kind = "word"          // a word filter; Type is PROFANITY or CUSTOM
	KindPromptAttack Kind = "prompt_attack" // an instruction hidden in the text; Type says which pattern
	KindRemote       Kind = "remote"        // reported by the Remote guardrail
)

// Finding is one thing the guard found in a text. It holds no raw value that
// could be logged: Start and End locate it in the text that was checked, and
// Placeholder is the tag it was replaced with, if any.
type Finding struct {
	Kind   Kind    `json:"kind"`
	Type   string  `json:"type"`
	Start  int     `json:"start"` // byte offset in the checked text
	End    int     `json:"end"`   // byte offset, exclusive
	Action Outcome `json:"action"`
	// Score is the detector's confidence in [0,1].
	Score float64 `json:"score"`
	// Placeholder is the tag that replaced the value, such as {EMAIL_1}.
	Placeholder string `json:"placeholder,omitempty"`
	// Field says which part of a ticket the offsets refer to ("subject",
	// "message 2"); empty for a single text.
	Field string `json:"field,omitempty"`
}

// String describes the finding without its value.
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%s[%d:%d] %s %.2f", f.Kind, f.Type, f.Start, f.End, f.Action, f.Score)
	if f.Field != "" {
		s = f.Field + " " + s
	}
	if f.Placeholder != "" {
		s += " " + f.Placeholder
	}
	return s
}

// LogValue logs the finding without its value.
func (f Finding) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("field", f.Field),
		slog.String("kind", string(f.Kind)),
		slog.String("type", f.Type),
		slog.Int("start", f.Start),
		slog.Int("end", f.End),
		slog.String("action", string(f.Action)),
		slog.Float64("score", f.Score),
	)
}
