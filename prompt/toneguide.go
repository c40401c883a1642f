package prompt

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Article is a knowledge-base article given as a tone guide: summaries should
// read like it.
type Article struct {
	Title string
	Body  string
}

// LoadToneGuide reads knowledge-base articles from text or Markdown files.
// An article's title is its first line when that is a Markdown heading, else
// the file name. It returns EINVALID for a file that cannot be read.
func LoadToneGuide(paths ...string) ([]Article, error) {
	var out []Article
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: read tone guide: %w", err)
		}
		text := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
		title := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if first, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(first, "#") {
			title = strings.TrimSpace(strings.TrimLeft(first, "#"))
			text = strings.TrimSpace(rest)
		}
		out = append(out, Article{Title: title, Body: text})
	}
	return out, nil
}

// toneGuide returns the articles that fit the token cap, escaped as data.
func (t *Template) toneGuide() []Article {
	budget := t.cfg.ToneGuideMaxTokens
	var out []Article
	for _, a := range t.cfg.ToneGuide {
		cost := t.EstimateTokens(a.Title) + t.EstimateTokens(a.Body)
		body := a.Body
		if cost > budget {
			body = cutRunes(body, int(float64(budget)*t.cfg.CharsPerToken))
			if strings.TrimSpace(body) == "" {
				break
			}
		}
		out = append(out, Article{Title: escapeAttr(a.Title), Body: EscapeData(body)})
		budget -= cost
		if budget <= 0 {
			break
		}
	}
	return out
}

func cutRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
