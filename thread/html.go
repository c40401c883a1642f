package thread

import (
	"html"
	"strings"
)

// htmlTags are the tags whose presence marks a body as HTML.
var htmlTags = []string{"p", "br", "div", "span", "html", "body", "a", "b", "i", "u", "strong", "em",
	"ul", "ol", "li", "table", "tr", "td", "th", "blockquote", "pre", "code", "script", "style",
	"h1", "h2", "h3", "h4", "h5", "h6", "img", "font", "hr", "head", "meta", "tbody", "center"}

// blockTags end a line of text.
var blockTags = map[string]bool{"p": true, "br": true, "div": true, "li": true, "tr": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "ul": true,
	"ol": true, "pre": true, "body": true, "center": true, "tbody": true, "dd": true, "dt": true}

// maxTagBytes is the longest tag recognised, attributes included.
const maxTagBytes = 2048

// IsHTML reports whether body looks like HTML: it holds at least one known
// HTML tag such as <p>, <br> or </div>.
func IsHTML(body string) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '<' {
			continue
		}
		name, _, ok := tagAt(body, i)
		if !ok {
			continue
		}
		for _, t := range htmlTags {
			if name == t {
				return true
			}
		}
	}
	return false
}

// tagAt parses the tag starting at s[i] == '<' and returns its lowercase
// name, the index just past its closing '>' and whether it is a tag. A
// closing tag's name is returned without the slash.
func tagAt(s string, i int) (name string, end int, ok bool) {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	k := j
	for k < len(s) && (isASCIILetter(s[k]) || (k > j && s[k] >= '0' && s[k] <= '9')) {
		k++
	}
	if k == j || k-j > 12 {
		return "", 0, false
	}
	// A tag longer than maxTagBytes is taken as text, which keeps the scan
	// linear on inputs full of unclosed '<'.
	window := s[k:min(len(s), k+maxTagBytes)]
	gt := strings.IndexByte(window, '>')
	if gt < 0 {
		return "", 0, false
	}
	if lt := strings.IndexByte(window[:gt], '<'); lt >= 0 {
		return "", 0, false
	}
	return strings.ToLower(s[j:k]), k + gt + 1, true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// HTMLToText converts HTML to plain text: block tags and <br> end lines,
// list items start with "- ", entities are decoded, comments, <script>,
// <style>, <head> and quoted <blockquote> content are dropped, and
// whitespace inside <pre> is kept.
func HTMLToText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	quote, pre := 0, 0
	text := func(t string) {
		if quote > 0 || t == "" {
			return
		}
		t = html.UnescapeString(t)
		if pre > 0 {
			b.WriteString(t)
			return
		}
		space := false
		for _, r := range t {
			if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' {
				space = true
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
		if space {
			b.WriteByte(' ')
		}
	}
	lower := ""
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			text(s[start:i])
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				start, i = len(s), len(s)
				break
			}
			i += 4 + end + 2
			start = i + 1
			continue
		}
		name, end, ok := tagAt(s, i)
		if !ok {
			continue
		}
		text(s[start:i])
		closing := s[i+1] == '/'
		switch {
		case !closing && (name == "script" || name == "style" || name == "head" || name == "title"):
			if lower == "" {
				lower = strings.ToLower(s)
			}
			stop := strings.Index(lower[end:], "</"+name)
			if stop < 0 {
				end = len(s)
			} else if gt := strings.IndexByte(s[end+stop:], '>'); gt >= 0 {
				end = end + stop + gt + 1
			} else {
				end = len(s)
			}
		case name == "blockquote":
			if closing {
				quote = max(quote-1, 0)
			} else {
				quote++
			}
		case name == "pre":
			if closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		}
		switch {
		case name == "p" || name == "blockquote" || name == "pre":
			endLines(&b, 2)
		case blockTags[name] && !(closing && name == "li"):
			endLines(&b, 1)
		}
		if name == "li" && !closing && quote == 0 {
			b.WriteString("- ")
		}
		i = end - 1
		start = end
	}
	text(s[start:])
	return b.String()
}

// endLines makes b end with at least n line breaks, ignoring trailing
// spaces; an empty b needs none.
func endLines(b *strings.Builder, n int) {
	s := b.String()
	have := 0
	for i := len(s) - 1; i >= 0 && have < n; i-- {
		if s[i] == '\n' {
			have++
		} else if s[i] != ' ' {
			break
		}
	}
	if len(s) == 0 {
		return
	}
	for ; have < n; have++ {
		b.WriteByte('\n')
	}
}
