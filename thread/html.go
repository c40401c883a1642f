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
	c := &htmlConverter{src: s}
	c.out.Grow(len(s))
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			c.text(s[start:i])
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				return c.out.String()
			}
			i += 4 + end + 2
			start = i + 1
			continue
		}
		name, end, ok := tagAt(s, i)
		if !ok {
			continue
		}
		c.text(s[start:i])
		end = c.tag(name, s[i+1] == '/', end)
		i, start = end-1, end
	}
	c.text(s[start:])
	return c.out.String()
}

// htmlConverter holds the state of one HTMLToText conversion.
type htmlConverter struct {
	src   string
	lower string // src with ASCII letters lowercased, made on first need
	out   strings.Builder
	quote int // depth of <blockquote>
	pre   int // depth of <pre>
}

// text writes a run of text between tags, decoding entities and, outside
// <pre>, collapsing white space.
func (c *htmlConverter) text(t string) {
	if c.quote > 0 || t == "" {
		return
	}
	t = html.UnescapeString(t)
	if c.pre > 0 {
		c.out.WriteString(t)
		return
	}
	space := false
	for _, r := range t {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			c.out.WriteByte(' ')
			space = false
		}
		c.out.WriteRune(r)
	}
	if space {
		c.out.WriteByte(' ')
	}
}

// tag handles a tag that ends at end and returns where the text resumes:
// past the closing tag of an element whose content is dropped.
func (c *htmlConverter) tag(name string, closing bool, end int) int {
	switch {
	case !closing && (name == "script" || name == "style" || name == "head" || name == "title"):
		if c.lower == "" {
			c.lower = asciiLower(c.src)
		}
		stop := strings.Index(c.lower[end:], "</"+name)
		if stop < 0 {
			return len(c.src)
		}
		gt := strings.IndexByte(c.src[end+stop:], '>')
		if gt < 0 {
			return len(c.src)
		}
		end += stop + gt + 1
	case name == "blockquote":
		c.quote = depth(c.quote, closing)
	case name == "pre":
		c.pre = depth(c.pre, closing)
	}
	switch {
	case name == "p" || name == "blockquote" || name == "pre":
		endLines(&c.out, 2)
	case blockTags[name] && !(closing && name == "li"):
		endLines(&c.out, 1)
	}
	if name == "li" && !closing && c.quote == 0 {
		c.out.WriteString("- ")
	}
	return end
}

// depth returns a nesting depth after an opening or closing tag.
func depth(d int, closing bool) int {
	if closing {
		return max(d-1, 0)
	}
	return d + 1
}

// asciiLower lowercases ASCII letters only, so that byte offsets into the
// result are offsets into s (strings.ToLower can change lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
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
