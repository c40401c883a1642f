package web

import (
	"html"
	"strings"
)

// Block is one part of a message body as the ticket page shows it: plain
// text, a quoted reply, or code and logs.
type Block struct {
	Kind string // "text", "quote" or "code"
	Text string
}

// looksHTML reports whether a message body is HTML rather than plain text.
func looksHTML(body string) bool {
	lower := strings.ToLower(body)
	for _, h := range [...]string{"<p>", "<p ", "<div", "<br", "<html", "<body", "<span", "<table", "<b>", "<i>"} {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

// isBreakTag reports whether a tag ends a line when an HTML body is shown as
// text.
func isBreakTag(name string) bool {
	switch name {
	case "br", "p", "/p", "div", "/div", "li", "tr", "/tr", "h1", "h2", "h3", "/h1", "/h2", "/h3", "blockquote", "/blockquote":
		return true
	}
	return false
}

// htmlToText turns an HTML body into plain text: tags dropped, line-breaking
// tags turned into newlines, script and style content removed, entities
// decoded. The result is still untrusted text and is escaped when shown.
func htmlToText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		name := tagName(s[1:j])
		s = s[j+1:]
		if name == "script" || name == "style" {
			end := strings.Index(strings.ToLower(s), "</"+name)
			if end < 0 {
				s = ""
				break
			}
			s = s[end:]
			continue
		}
		if isBreakTag(name) {
			b.WriteByte('\n')
		}
	}
	text := html.UnescapeString(b.String())
	lines := strings.Split(text, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// tagName returns the lower-case name of a tag from the text between < and >,
// with a leading "/" for a closing tag.
func tagName(s string) string {
	s = strings.TrimSpace(s)
	closing := strings.HasPrefix(s, "/")
	s = strings.TrimPrefix(s, "/")
	end := strings.IndexAny(s, " \t\n/")
	if end >= 0 {
		s = s[:end]
	}
	s = strings.ToLower(s)
	if closing {
		return "/" + s
	}
	return s
}

// bodyBlocks splits a message body into text, quoted-reply and code blocks:
// lines starting with ">" are quotes; lines between ``` fences, and
// paragraphs that look like pasted logs or stack traces, are code.
func bodyBlocks(body string) []Block {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var blocks []Block
	var cur []string
	kind := "text"
	flush := func() {
		text := strings.Trim(strings.Join(cur, "\n"), "\n")
		cur = cur[:0]
		if strings.TrimSpace(text) == "" {
			return
		}
		if kind == "text" {
			blocks = append(blocks, splitCode(text)...)
			return
		}
		blocks = append(blocks, Block{Kind: kind, Text: text})
	}
	for _, line := range strings.Split(body, "\n") {
		switch {
		case kind == "code":
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				flush()
				kind = "text"
				continue
			}
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			flush()
			kind = "code"
			continue
		case strings.HasPrefix(line, ">"):
			if kind != "quote" {
				flush()
				kind = "quote"
			}
			line = strings.TrimPrefix(strings.TrimPrefix(line, ">"), " ")
		case kind == "quote":
			flush()
			kind = "text"
		}
		cur = append(cur, line)
	}
	flush()
	return blocks
}

// splitCode splits plain text into paragraphs, turns those that look like
// logs or stack traces into code blocks and joins the rest back into text.
func splitCode(text string) []Block {
	var out []Block
	var prose []string
	flushProse := func() {
		if len(prose) > 0 {
			out = append(out, Block{Kind: "text", Text: strings.Join(prose, "\n\n")})
			prose = prose[:0]
		}
	}
	for _, para := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		para = strings.Trim(para, "\n")
		if looksLikeCode(strings.Split(para, "\n")) {
			flushProse()
			out = append(out, Block{Kind: "code", Text: para})
			continue
		}
		prose = append(prose, para)
	}
	flushProse()
	return out
}

// looksLikeCode reports whether a paragraph is a pasted log, stack trace or
// code rather than prose: an indented line, a first line that starts a trace,
// or mostly log-shaped lines.
func looksLikeCode(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ") {
			return true
		}
	}
	for _, p := range [...]string{"panic:", "goroutine ", "Traceback (most recent", "FATAL EXCEPTION", "Exception in thread", "HTTP/1.", "HTTP/2", "{\"", "[{\""} {
		if strings.HasPrefix(lines[0], p) {
			return true
		}
	}
	logLike := 0
	for _, l := range lines {
		if isLogLine(l) {
			logLike++
		}
	}
	return logLike > 0 && logLike*2 >= len(lines)
}

// isLogLine reports whether a line starts like a log record: an ISO date, a
// bracketed tag such as "[BT]", or an Android "E/Tag:" prefix.
func isLogLine(l string) bool {
	switch {
	case len(l) >= 10 && isDigits(l[0:4]) && l[4] == '-' && isDigits(l[5:7]) && l[7] == '-' && isDigits(l[8:10]):
		return true
	case len(l) > 2 && l[0] == '[' && strings.IndexByte(l, ']') > 1 && strings.IndexByte(l, ']') < 12:
		return true
	case len(l) > 3 && l[1] == '/' && strings.IndexByte("VDIWEF", l[0]) >= 0 && strings.IndexByte(l, ':') > 2:
		return true
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
