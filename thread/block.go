package thread

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type lineKind int

const (
	kindText lineKind = iota
	kindBlank
	kindLog
	kindTrace
	kindCode
)

var kindNames = map[lineKind]string{kindLog: "log", kindTrace: "stack trace", kindCode: "code"}

// CollapseBlocks replaces pasted logs, stack traces and code with one-line
// markers such as "[log: 120 lines omitted]": fenced ``` blocks, and runs of
// at least three technical lines (or fewer holding over 500 bytes). Runs of
// one or two short technical lines, such as a single error message, stay.
// Words longer than 200 bytes (base64, tokens) become "[data omitted]".
func CollapseBlocks(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "```") {
			j := i + 1
			for j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
				j++
			}
			out = append(out, marker(kindCode, j-i-1))
			i = j + 1
			continue
		}
		k := classify(lines[i])
		if k == kindText || k == kindBlank {
			out = append(out, shortenWords(lines[i]))
			i++
			continue
		}
		j, counts, size := i, map[lineKind]int{}, 0
		last := i
		for j < len(lines) {
			kj := classify(lines[j])
			if kj == kindText || strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
				break
			}
			if kj != kindBlank {
				counts[kj]++
				size += len(lines[j])
				last = j
			}
			j++
		}
		n := counts[kindLog] + counts[kindTrace] + counts[kindCode]
		if n >= 3 || size > 500 {
			out = append(out, marker(dominant(counts), n))
		} else {
			for _, l := range lines[i : last+1] {
				out = append(out, shortenWords(l))
			}
		}
		i = last + 1
	}
	return out
}

func marker(k lineKind, n int) string {
	unit := "lines"
	if n == 1 {
		unit = "line"
	}
	return fmt.Sprintf("[%s: %d %s omitted]", kindNames[k], n, unit)
}

// dominant returns the most frequent kind; a stack trace wins ties, then a log.
func dominant(counts map[lineKind]int) lineKind {
	best := kindTrace
	for _, k := range []lineKind{kindLog, kindCode} {
		if counts[k] > counts[best] {
			best = k
		}
	}
	return best
}

// shortenWords replaces words longer than 200 bytes.
func shortenWords(l string) string {
	if len(l) <= 200 || !hasLongWord(l) {
		return l
	}
	f := strings.Fields(l)
	changed := false
	for i, w := range f {
		if len(w) > 200 {
			f[i] = "[data omitted]"
			changed = true
		}
	}
	if !changed {
		return l
	}
	return strings.Join(f, " ")
}

// hasLongWord reports whether one of the words of l, as strings.Fields
// splits them, is longer than 200 bytes, without splitting l.
func hasLongWord(l string) bool {
	start := -1
	for i, r := range l {
		if r < utf8.RuneSelf && r != ' ' && r != '\t' && r != '\n' && r != '\v' && r != '\f' && r != '\r' || r >= utf8.RuneSelf && !unicode.IsSpace(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > 200 {
			return true
		}
		start = -1
	}
	return start >= 0 && len(l)-start > 200
}

// classify tells technical lines from prose.
func classify(l string) lineKind {
	t := strings.TrimSpace(l)
	switch {
	case t == "":
		return kindBlank
	case isTraceLine(t):
		return kindTrace
	case isLogLine(t):
		return kindLog
	case isCodeLine(l, t):
		return kindCode
	}
	return kindText
}

func isTraceLine(t string) bool {
	if strings.HasPrefix(t, "at ") {
		f := strings.Fields(t)
		return len(f) <= 3 && len(f) >= 2 && (strings.Contains(f[1], "(") || strings.Count(f[1], ".") >= 2)
	}
	return strings.HasPrefix(t, "Traceback (most recent call last)") ||
		(strings.HasPrefix(t, `File "`) && strings.Contains(t, `", line `)) ||
		strings.HasPrefix(t, "Caused by: ") ||
		(strings.HasPrefix(t, "...") && strings.HasSuffix(t, " more")) ||
		(strings.HasPrefix(t, "goroutine ") && strings.Contains(t, " [")) ||
		strings.HasPrefix(t, "panic: ") ||
		((strings.HasPrefix(t, "/") || strings.HasPrefix(t, "main.")) && strings.Contains(t, ".go:"))
}

var logLevels = []string{"INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "ERR", "CRITICAL", "NOTICE"}

var months = []string{"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "}

func isLogLine(t string) bool {
	s := strings.TrimLeft(t, "[(")
	switch {
	case len(s) >= 10 && digits(s[0:4]) && (s[4] == '-' || s[4] == '/') && digits(s[5:7]) && (s[7] == '-' || s[7] == '/') && digits(s[8:10]):
		return true // 2025-03-01...
	case len(s) >= 8 && digits(s[0:2]) && s[2] == ':' && digits(s[3:5]) && s[5] == ':' && digits(s[6:8]):
		return true // 10:02:33...
	case len(s) >= 15 && hasAnyPrefix(s, months) && s[9] == ':' && s[12] == ':':
		return true // Mar  1 10:02:33 (syslog)
	}
	if s == "" || !levelFirst[s[0]] {
		return false
	}
	for _, lv := range logLevels {
		if rest, ok := strings.CutPrefix(s, lv); ok && rest != "" && (rest[0] == ' ' || rest[0] == ':' || rest[0] == ']' || rest[0] == '|') {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var codeStarts = []string{"#include", "import ", "package ", "def ", "func ", "function ", "class ", "public ",
	"private ", "protected ", "const ", "var ", "let ", "return ", "if (", "for (", "while (", "<?", "$ ",
	"SELECT ", "select ", "INSERT ", "UPDATE ", "curl ", "sudo ", "npm ", "pip ", "}", "//", "/*", "*/"}

// codeFirst and levelFirst hold the first bytes of codeStarts and
// logLevels: a line starting with another byte needs no prefix check.
var codeFirst, levelFirst = firstBytes(codeStarts), firstBytes(logLevels)

func firstBytes(list []string) (set [256]bool) {
	for _, p := range list {
		set[p[0]] = true
	}
	return set
}

func isCodeLine(l, t string) bool {
	if strings.Contains(t, "{") {
		t = strings.TrimSpace(stripPlaceholders(t))
		if t == "" {
			return false
		}
	}
	if codeFirst[t[0]] && hasAnyPrefix(t, codeStarts) {
		return true
	}
	last := t[len(t)-1]
	if last == ';' || last == '{' || last == '}' {
		return true
	}
	if strings.HasPrefix(t, `"`) && strings.Contains(t, `":`) {
		return true // JSON
	}
	if len(t) < 4 {
		return false
	}
	// A quarter of t's bytes must be symbols, a tenth when l is indented:
	// the count stops once the bytes left cannot make up the difference.
	indented := strings.HasPrefix(l, "    ")
	need := (len(t) + 3) / 4
	if indented {
		need = (len(t) + 9) / 10
	}
	sym := 0
	for i := 0; i < len(t); i++ {
		if sym >= need {
			return true
		}
		if sym+len(t)-i < need {
			return false
		}
		if codeSymbol[t[i]] {
			sym++
		}
	}
	return sym >= need
}

// codeSymbol marks the bytes isCodeLine counts.
var codeSymbol = func() (set [256]bool) {
	for _, c := range []byte(`{}[]();=<>\|$&*"_/`) {
		set[c] = true
	}
	return set
}()

// stripPlaceholders removes redaction placeholders such as "{NAME_1}",
// which are prose, not code.
func stripPlaceholders(t string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			b.WriteString(t)
			return b.String()
		}
		end := open + 1
		for end < len(t) && (t[end] >= 'A' && t[end] <= 'Z' || t[end] >= '0' && t[end] <= '9' || t[end] == '_') {
			end++
		}
		if end < len(t) && t[end] == '}' && end > open+1 {
			b.WriteString(t[:open])
			t = t[end+1:]
			continue
		}
		b.WriteString(t[:open+1])
		t = t[open+1:]
	}
}
