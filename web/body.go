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
// lines starting with ">" are quotes; lines between ``` fences, and lines
// indented by a tab or four spaces (stack traces, pasted logs), are code.
func bodyBlocks(body string) []Block {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var blocks []Block
	var cur []string
	kind := "text"
	flush := func() {
		text := strings.Trim(strings.Join(cur, "\n"), "\n")
		if strings.TrimSpace(text) != "" {
			k := kind
			if k == "indented" {
				k = "code"
			}
			blocks = append(blocks, Block{Kind: k, Text: text})
		}
		cur = cur[:0]
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
		case strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    "):
			if kind != "indented" {
				flush()
				kind = "indented"
			}
		case kind == "quote" || kind == "indented":
			flush()
			kind = "text"
		}
		cur = append(cur, line)
	}
	flush()
	return blocks
}
