package thread

import "strings"

// replyEndings end the header line that introduces a quoted reply, such as
// "On Mon, 3 Mar 2025 at 10:02, Support <help@example.com> wrote:".
var replyEndings = []string{"wrote:", "wrote :", "a écrit :", "a écrit:", "schrieb:", "escribió:",
	"ha scritto:", "skrev:", "schreef:", "escreveu:"}

// replyStarts begin such a header line, per language.
var replyStarts = []string{"on ", "le ", "am ", "el ", "il ", "op ", "em ", "den "}

// StripQuotes removes quoted replies: lines starting with ">", and
// everything from a reply header ("On ... wrote:", "-----Original
// Message-----", or an Outlook "From: ... Sent: ..." block) to the end.
func StripQuotes(lines []string) []string {
	out := lines[:0:0]
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") {
			continue
		}
		if isReplyHeader(lines, i) {
			break
		}
		out = append(out, l)
	}
	return out
}

// isReplyHeader reports whether a quoted reply starts at lines[i].
func isReplyHeader(lines []string, i int) bool {
	t := strings.ToLower(strings.TrimSpace(lines[i]))
	if t == "" {
		return false
	}
	if strings.Contains(t, "original message") && strings.HasPrefix(t, "---") {
		return true
	}
	if strings.HasPrefix(t, "from:") || strings.HasPrefix(t, "________") {
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			n := strings.ToLower(strings.TrimSpace(lines[j]))
			if strings.HasPrefix(n, "sent:") || strings.HasPrefix(n, "date:") ||
				(strings.HasPrefix(t, "____") && strings.HasPrefix(n, "from:")) {
				return true
			}
		}
		return false
	}
	if len(t) > 300 || !hasAnyPrefix(t, replyStarts) {
		return false
	}
	if hasAnySuffix(t, replyEndings) {
		return true
	}
	// The header is often wrapped over two lines.
	if i+1 < len(lines) {
		next := strings.ToLower(strings.TrimSpace(lines[i+1]))
		return len(next) < 200 && hasAnySuffix(next, replyEndings)
	}
	return false
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, p := range suffixes {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}
