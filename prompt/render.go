package prompt

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// delimiterLike matches anything in ticket text that could pass for one of
// the prompt's own tags: "<", its full-width and angle-bracket look-alikes,
// optional slash and spaces, then a tag name.
var delimiterLike = regexp.MustCompile(`(?i)[<＜﹤‹〈⟨〈](\s*/?\s*)(ticket|message|kb_article|example|part|summary|system|instructions?)`)

// invisible are format characters that could split a tag name so that it
// escapes delimiterLike ("<tic\u200bket>").
var invisible = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u00ad", "")

// EscapeData makes text safe to place between the prompt's delimiters:
// invisible format characters are removed and every opening of a tag that
// looks like one of the prompt's own (<ticket>, </ticket>, <example>, ... in
// any case, with look-alike brackets) has its bracket replaced by "&lt;", so
// the text can neither close the data block nor open a new one.
func EscapeData(s string) string {
	s = invisible.Replace(s)
	if !strings.ContainsAny(s, "<＜﹤‹〈⟨〈") {
		return s
	}
	return delimiterLike.ReplaceAllString(s, "&lt;$1$2")
}

func escapeAttr(s string) string {
	s = EscapeData(s)
	s = strings.ReplaceAll(s, `"`, "'")
	return strings.Join(strings.Fields(s), " ")
}

var blankRuns = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

// CleanBody is the minimal message renderer: it normalises line endings,
// trims trailing spaces and collapses runs of blank lines, and nothing more.
// The default renderer is thread.Clean.
func CleanBody(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	body = strings.Join(lines, "\n")
	body = blankRuns.ReplaceAllString(body, "\n\n")
	return strings.TrimSpace(body)
}

// renderMessage renders one message with its number, role and time; the
// author is left out on purpose, being personal data.
func (t *Template) renderMessage(n int, m ticketsum.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d] %s", n, m.Role)
	if !m.At.IsZero() {
		b.WriteString(" · ")
		b.WriteString(m.At.UTC().Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString(":\n")
	body := EscapeData(t.cfg.Render(m.Body))
	if body == "" {
		body = "(empty)"
	}
	b.WriteString(body)
	return b.String()
}

// renderTicket renders the ticket header and the messages numbered from
// first, between <ticket> and </ticket>.
func (t *Template) renderTicket(tk *ticketsum.Ticket, first int, msgs []ticketsum.Message) string {
	var b strings.Builder
	b.WriteString("<ticket>\n")
	if tk.Subject != "" {
		b.WriteString("Subject: " + escapeAttr(tk.Subject) + "\n")
	}
	if tk.ProductLine != "" {
		b.WriteString("Product line: " + escapeAttr(tk.ProductLine) + "\n")
	}
	for i, m := range msgs {
		if i > 0 || tk.Subject != "" || tk.ProductLine != "" {
			b.WriteString("\n")
		}
		b.WriteString(t.renderMessage(first+i, m))
		b.WriteString("\n")
	}
	b.WriteString("</ticket>")
	return b.String()
}

type exampleData struct {
	Ticket  string
	Summary string
	Status  ticketsum.Status
}

type systemData struct {
	MaxWords  int
	ToneGuide []Article
	Examples  []exampleData
}

// System renders the system prompt for a ticket: instructions, tone guide
// and the few-shot examples chosen for its product line. Every call about
// the ticket (whole, chunks, combine, repair) shares it, so providers can
// cache it.
func (t *Template) System(tk *ticketsum.Ticket) (string, error) {
	d := systemData{MaxWords: t.cfg.MaxWords, ToneGuide: t.toneGuide()}
	for _, e := range SelectExamples(t.cfg.Examples, tk.ProductLine, t.cfg.MaxExamples) {
		et := &ticketsum.Ticket{Subject: e.Subject, ProductLine: e.ProductLine, Messages: e.Messages}
		d.Examples = append(d.Examples, exampleData{
			Ticket:  t.renderTicket(et, 1, e.Messages),
			Summary: strings.TrimSpace(e.Summary),
			Status:  e.Status,
		})
	}
	return t.exec("system", d)
}

// Render returns the request that summarises the whole ticket in one call.
// MaxTokens, Temperature and Meta are left for the caller. It returns
// EINVALID for a ticket that fails Validate.
func (t *Template) Render(tk *ticketsum.Ticket) (*ticketsum.ModelRequest, error) {
	if err := tk.Validate(); err != nil {
		return nil, err
	}
	sys, err := t.System(tk)
	if err != nil {
		return nil, err
	}
	user, err := t.exec("ticket", map[string]any{"Ticket": t.renderTicket(tk, 1, tk.Messages)})
	if err != nil {
		return nil, err
	}
	return request(sys, user), nil
}

// RenderChunk returns the request that summarises one chunk of a long
// ticket: part (1-based) of parts, whose first message is number first in
// the thread.
func (t *Template) RenderChunk(tk *ticketsum.Ticket, c Chunk, parts int) (*ticketsum.ModelRequest, error) {
	sys, err := t.System(tk)
	if err != nil {
		return nil, err
	}
	user, err := t.exec("chunk", map[string]any{
		"Part": c.Part, "Parts": parts, "ChunkWords": t.cfg.ChunkWords,
		"Ticket": t.renderTicket(tk, c.First, c.Messages),
	})
	if err != nil {
		return nil, err
	}
	return request(sys, user), nil
}

// RenderCombine returns the request that combines partial summaries of
// consecutive chunks into the final summary.
func (t *Template) RenderCombine(tk *ticketsum.Ticket, partials []string) (*ticketsum.ModelRequest, error) {
	sys, err := t.System(tk)
	if err != nil {
		return nil, err
	}
	esc := make([]string, len(partials))
	for i, p := range partials {
		esc[i] = EscapeData(strings.TrimSpace(p))
	}
	user, err := t.exec("combine", map[string]any{"Partials": esc, "MaxWords": t.cfg.MaxWords})
	if err != nil {
		return nil, err
	}
	return request(sys, user), nil
}

// RenderRepair returns the follow-up request asking the model to fix its
// answer: the original conversation, the answer as the assistant's turn,
// and a user turn listing the problems.
func (t *Template) RenderRepair(orig *ticketsum.ModelRequest, answer string, problems []Problem) (*ticketsum.ModelRequest, error) {
	user, err := t.exec("repair", map[string]any{"Problems": problems, "MaxWords": t.cfg.MaxWords})
	if err != nil {
		return nil, err
	}
	req := *orig
	req.Messages = append(append([]ticketsum.ChatMessage(nil), orig.Messages...),
		ticketsum.ChatMessage{Role: ticketsum.ChatAssistant, Content: answer},
		ticketsum.ChatMessage{Role: ticketsum.ChatUser, Content: user})
	return &req, nil
}

func request(system, user string) *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{
		System:      system,
		Messages:    []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: user}},
		CacheSystem: true,
	}
}
