package thread

import (
	"strings"
	"unicode/utf8"
)

// Clean returns the readable text of a message body: HTML converted to
// text, quoted replies and signatures removed, logs, stack traces and code
// collapsed into markers, and whitespace normalised. Paragraphs are
// separated by one blank line.
func Clean(body string) string {
	if IsHTML(body) {
		body = HTMLToText(body)
	}
	lines := splitLines(body)
	lines = StripQuotes(lines)
	lines = StripSignature(lines)
	lines = CollapseBlocks(lines)
	return joinLines(lines)
}

// splitLines splits s into lines, accepting \n, \r\n and \r line ends, with
// spaces normalised within each line.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = normalizeLine(l)
	}
	return lines
}

// normalizeLine replaces tabs, non-breaking and other odd spaces with a
// space, drops zero-width characters, collapses runs of spaces (leading
// indentation is kept, as code detection uses it) and trims the end.
func normalizeLine(l string) string {
	if isNormalLine(l) {
		return l
	}
	return normalizeRunes(l)
}

// normalizeRunes is normalizeLine rune by rune.
func normalizeRunes(l string) string {
	var b strings.Builder
	b.Grow(len(l))
	space, leading := false, true
	for _, r := range l {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			continue
		case ' ', '\t', '\u00a0', '\u2002', '\u2003', '\u2009', '\u202f', '\u3000', '\v', '\f':
			if leading {
				b.WriteByte(' ')
				continue
			}
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		leading = false
		b.WriteRune(r)
	}
	if leading {
		return ""
	}
	return b.String()
}

// isNormalLine reports whether normalizeLine would return l unchanged: a
// line of UTF-8 with no tab, other odd space or zero-width character, no
// run of spaces after its indentation and no space at its end, that is not
// blank.
func isNormalLine(l string) bool {
	leading := true
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(l[i:])
			if r == utf8.RuneError && n == 1 || oddRune(r) {
				return false // normalizeRunes writes U+FFFD, a space or nothing
			}
			leading = false
			i += n - 1
		case c == '\t' || c == '\v' || c == '\f':
			return false
		case c == ' ':
			if !leading && (i+1 == len(l) || l[i+1] == ' ') {
				return false
			}
		default:
			leading = false
		}
	}
	return !leading
}

// oddRune reports whether normalizeRunes drops r or writes it as a space.
func oddRune(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad',
		'\u00a0', '\u2002', '\u2003', '\u2009', '\u202f', '\u3000':
		return true
	}
	return false
}

// joinLines trims each line, drops leading and trailing blank lines and
// collapses runs of blank lines into one.
func joinLines(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}
