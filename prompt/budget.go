package prompt

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// EstimateTokens estimates the tokens of s as its characters (runes) divided
// by Config.CharsPerToken (default 4), rounded up. It is a planning
// estimate, not a tokenizer: real counts come from the provider's usage.
func (t *Template) EstimateTokens(s string) int {
	return int(math.Ceil(float64(utf8.RuneCountInString(s)) / t.cfg.CharsPerToken))
}

// perMessageTokens is the estimated overhead of one chat turn (role markers).
const perMessageTokens = 4

// EstimateRequest estimates the input tokens of a request.
func (t *Template) EstimateRequest(req *ticketsum.ModelRequest) int {
	n := t.EstimateTokens(req.System)
	for _, m := range req.Messages {
		n += t.EstimateTokens(m.Content) + perMessageTokens
	}
	return n
}

// Budget returns the input tokens a request may use with a model's context
// window and output cap: the window minus the output cap minus a 5% margin
// for the estimate's error.
func Budget(contextWindow, maxOutputTokens int) int {
	return contextWindow - maxOutputTokens - contextWindow/20
}

// Chunk is a run of consecutive messages of a long ticket, summarised in one
// call. First is the 1-based number of its first message in the thread, so
// that numbering stays that of the whole ticket; a message too long for any
// chunk is split into pieces that keep its role and time.
type Chunk struct {
	Part     int
	First    int
	Messages []ticketsum.Message
}

// minChunkBody is the fewest tokens of ticket text a chunk must be able to
// carry for chunking to make sense.
const minChunkBody = 64

// Chunks splits the ticket into chunks whose chunk requests fit budget
// input tokens (see Budget). A ticket whose whole request fits gives one
// chunk. It returns EINVALID when the fixed part of the prompt (system
// prompt and instructions) leaves less than 64 tokens for ticket text.
func (t *Template) Chunks(tk *ticketsum.Ticket, budget int) ([]Chunk, error) {
	if err := tk.Validate(); err != nil {
		return nil, err
	}
	empty, err := t.RenderChunk(tk, Chunk{Part: 1, First: 1}, 1)
	if err != nil {
		return nil, err
	}
	room := budget - t.EstimateRequest(empty)
	if room < minChunkBody {
		return nil, ticketsum.Errorf(ticketsum.EINVALID,
			"ticket %s: the context window leaves %d tokens for ticket text after the prompt (need at least %d); use a model with a larger context window or a shorter tone guide",
			tk.ID, room, minChunkBody)
	}
	var (
		out  []Chunk
		cur  Chunk
		used int
		num  = 1 // number of the message in the thread
	)
	flush := func() {
		if len(cur.Messages) > 0 {
			cur.Part = len(out) + 1
			out = append(out, cur)
		}
		cur, used = Chunk{}, 0
	}
	for _, m := range tk.Messages {
		for _, piece := range t.splitMessage(m, room) {
			cost := t.EstimateTokens(t.renderMessage(num, piece)) + 1
			if used+cost > room {
				flush()
			}
			if len(cur.Messages) == 0 {
				cur.First = num
			}
			cur.Messages = append(cur.Messages, piece)
			used += cost
		}
		num++
	}
	flush()
	return out, nil
}

// splitMessage cuts a message whose rendering exceeds room tokens into
// pieces that fit, at paragraph, line, sentence or word boundaries when it
// can.
func (t *Template) splitMessage(m ticketsum.Message, room int) []ticketsum.Message {
	header := t.EstimateTokens(t.renderMessage(999999, ticketsum.Message{Role: m.Role, At: m.At, Body: "x"}))
	maxRunes := int(float64(room-header-2) * t.cfg.CharsPerToken)
	body := t.cfg.Render(m.Body)
	if utf8.RuneCountInString(EscapeData(body)) <= maxRunes {
		return []ticketsum.Message{m}
	}
	// Escaping can lengthen text; keep a margin.
	maxRunes = maxRunes * 9 / 10
	var out []ticketsum.Message
	for body != "" {
		cut := cutRunes(body, maxRunes)
		if len(cut) < len(body) {
			for _, sep := range []string{"\n\n", "\n", ". ", " "} {
				if i := strings.LastIndex(cut, sep); i > len(cut)/2 {
					cut = cut[:i+len(sep)]
					break
				}
			}
		}
		p := m
		p.Body = strings.TrimSpace(cut)
		out = append(out, p)
		body = strings.TrimSpace(body[len(cut):])
	}
	return out
}

// GroupPartials splits partial summaries into consecutive groups whose
// combine requests fit budget, for a reduction in several rounds when the
// partials of a very long ticket do not fit one combine call. A single group
// means one combine call suffices.
func (t *Template) GroupPartials(tk *ticketsum.Ticket, partials []string, budget int) ([][]string, error) {
	empty, err := t.RenderCombine(tk, nil)
	if err != nil {
		return nil, err
	}
	room := budget - t.EstimateRequest(empty)
	var (
		out  [][]string
		cur  []string
		used int
	)
	for _, p := range partials {
		cost := t.EstimateTokens(p) + 8
		if used+cost > room && len(cur) > 0 {
			out = append(out, cur)
			cur, used = nil, 0
		}
		cur = append(cur, p)
		used += cost
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	if len(out) > 1 && len(out) == len(partials) {
		// Every partial alone fills the budget: pair them so the
		// reduction still converges.
		out = nil
		for i := 0; i < len(partials); i += 2 {
			out = append(out, partials[i:min(i+2, len(partials))])
		}
	}
	return out, nil
}
