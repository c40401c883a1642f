// Package ctltext removes from text what a terminal or a browser would act
// on rather than show. Ticket input (ticketfile) and model answers (prompt)
// pass through it, so that neither can reach a screen as escape sequences.
package ctltext

import (
	"strings"
	"unicode/utf8"
)

// Strip removes what a terminal or a browser would act on rather
// than show: ANSI escape sequences (colour codes in pasted terminal output,
// window-title changes), other C0 and C1 control characters except tab and
// line breaks, DEL, the bidirectional marks, embeddings, overrides and
// isolates (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) that make text
// read backwards, and the invisible characters that split a word without
// showing (zero-width space, joiners, word joiner, U+2061-U+2064, the byte
// order mark, the soft hyphen, U+180E): "M<ZWSP>aria" reads as "Maria" on
// a screen, but a detector looking for the name would not find it. Text
// without any of them is returned as is.
func Strip(s string) string {
	if !hasControl(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case isControl(r):
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hasControl reports whether s holds anything Strip removes.
func hasControl(s string) bool {
	for _, r := range s {
		if isControl(r) {
			return true
		}
	}
	return false
}

func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return true
	}
	switch r {
	case 0x00ad, 0x180e, 0xfeff:
		return true
	}
	return r >= 0x200b && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2060 && r <= 0x2064 || r >= 0x2066 && r <= 0x2069
}

// escapeLen returns the length of the escape sequence at the start of s,
// which starts with ESC: a CSI sequence ("\x1b[31m"), an OSC sequence ended
// by BEL or ESC \ ("\x1b]0;title\x07"), or ESC and one more character.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	_, size := utf8.DecodeRuneInString(s[1:])
	return 1 + size
}
