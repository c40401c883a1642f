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
	out := make([]string, 0, len(lines))
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
	t := strings.TrimSpace(lines[i])
	if t == "" || !mayStartReply(t) {
		return false
	}
	t = strings.ToLower(t)
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

// mayStartReply reports whether a trimmed line could be a reply header by
// its start: "---", "from:", "________" or one of replyStarts, in any case.
// It reads the line's first bytes without lowering it; a line starting
// with a byte outside ASCII goes on to the full check.
func mayStartReply(t string) bool {
	if strings.HasPrefix(t, "---") || strings.HasPrefix(t, "________") {
		return true
	}
	if hasPrefixLower(t, "from:") {
		return true
	}
	for _, p := range replyStarts {
		if hasPrefixLower(t, p) {
			return true
		}
	}
	return false
}

// hasPrefixLower reports whether strings.ToLower(s) starts with p, a
// lowercase ASCII prefix, lowering s only when its first len(p) bytes are
// not all ASCII (lowering maps each ASCII byte to one ASCII byte, so those
// bytes alone decide).
func hasPrefixLower(s, p string) bool {
	for i := 0; i < len(p); i++ {
		if i == len(s) {
			return false // ASCII so far: lowering keeps the length
		}
		c := s[i]
		if c >= 0x80 {
			return strings.HasPrefix(strings.ToLower(s), p)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
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
