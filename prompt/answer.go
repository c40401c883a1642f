package prompt

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ctltext"
)

// Answer is a model's answer split into the summary and its status.
type Answer struct {
	// Text is the summary without the status line.
	Text string
	// Status is the parsed status, "" when none was found.
	Status ticketsum.Status
}

// statusLine matches a status line such as "STATUS: resolved",
// "**Status:** Awaiting customer" or "status = awaiting_support".
var statusLine = regexp.MustCompile(`(?im)^[\s*_#>-]*status[\s*_]*[:=\-–][\s*_"']*(resolved|awaiting[ _-]?customer|awaiting[ _-]?support)\b[\s*_".']*$`)

// ParseAnswer splits a model's raw answer into the summary and the status.
// It accepts the template's format (the paragraph, then a "STATUS: x" line,
// tolerating markdown and case), or a JSON object with "summary" and
// "status" keys anywhere in the text. The last status line gives the
// status and every status line is removed. Text outside is kept as the summary,
// so that the checks can flag it. Escape sequences and other control
// characters are removed from the summary (a model's answer reaches
// terminals and pages), as they are from ticket input.
func ParseAnswer(raw string) Answer {
	a := parseAnswer(raw)
	a.Text = ctltext.Strip(a.Text)
	return a
}

// parseAnswer is ParseAnswer before the control characters are removed.
func parseAnswer(raw string) Answer {
	raw = strings.TrimSpace(raw)
	if a, ok := parseJSONAnswer(raw); ok {
		return a
	}
	locs := statusLine.FindAllStringSubmatchIndex(raw, -1)
	if len(locs) == 0 {
		return parseOddStatus(raw)
	}
	last := locs[len(locs)-1]
	status := normaliseStatus(raw[last[2]:last[3]])
	text := strings.TrimSpace(statusLine.ReplaceAllString(raw, ""))
	return Answer{Text: text, Status: status}
}

// oddStatusLine matches a final status line whose value is not a known
// status, such as "STATUS: done".
var oddStatusLine = regexp.MustCompile(`(?i)\n[\s*_#>-]*status[\s*_]*[:=\-–][\s*_"']*([^\n]{0,40})$`)

// parseOddStatus takes a final status line with an unknown value off the
// text, so that it does not pass for part of the summary; the status it
// returns is the unknown value, which the checks report as no_status.
func parseOddStatus(raw string) Answer {
	m := oddStatusLine.FindStringSubmatchIndex(raw)
	if m == nil || len(strings.Fields(raw[m[2]:m[3]])) > 4 {
		return Answer{Text: raw}
	}
	return Answer{Text: strings.TrimSpace(raw[:m[0]]), Status: normaliseStatus(strings.Trim(raw[m[2]:m[3]], " *_\"'."))}
}

func normaliseStatus(s string) ticketsum.Status {
	s = strings.ToLower(s)
	s = strings.NewReplacer(" ", "_", "-", "_").Replace(s)
	if !strings.Contains(s, "_") && strings.HasPrefix(s, "awaiting") {
		s = "awaiting_" + strings.TrimPrefix(s, "awaiting")
	}
	return ticketsum.Status(s)
}

func parseJSONAnswer(raw string) (Answer, bool) {
	for i := strings.IndexByte(raw, '{'); i >= 0; {
		dec := json.NewDecoder(strings.NewReader(raw[i:]))
		var v struct {
			Summary *string `json:"summary"`
			Status  string  `json:"status"`
		}
		if err := dec.Decode(&v); err == nil && v.Summary != nil {
			end := i + int(dec.InputOffset())
			rest := strings.TrimSpace(raw[:i] + raw[end:])
			rest = strings.Trim(rest, "`")
			rest = strings.TrimSpace(strings.TrimPrefix(rest, "json"))
			text := strings.TrimSpace(*v.Summary)
			if rest != "" {
				text = rest + "\n\n" + text
			}
			return Answer{Text: text, Status: normaliseStatus(v.Status)}, true
		}
		j := strings.IndexByte(raw[i+1:], '{')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return Answer{}, false
}
