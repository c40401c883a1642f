package guard

import (
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Topic is a denied topic, configured as Bedrock Guardrails configures one:
// a name, a definition and example phrases.
//
// Matching is lexical, not semantic: every sentence of the text is reduced
// to its content words (lower case, accents stripped, stop words dropped
// but "you", "your" and "should" kept, since advice is addressed to its
// reader; crude suffix stemming), and the topic matches when the words of one
// example phrase appear in the sentence with an overlap of at least
// Threshold (the share of the example's content words found) and at least
// two words (one for a one-word example). Write several short, specific
// examples ("should I sue them", "is this legal advice"); paraphrases that
// share no words with any example are not found.
type Topic struct {
	// Name identifies the topic in findings and flags, e.g. "legal_advice".
	Name string
	// Definition says what the topic covers; documentation only.
	Definition string
	// Examples are the phrases that define the topic. At least one.
	Examples []string
	// Input is the action on model input: NONE records it (DETECTED), BLOCK
	// stops the request. Default: NONE.
	Input Action
	// Output is the action on model output. Default: BLOCK.
	Output Action
	// Threshold is the share of an example's content words that must appear
	// in one sentence. Default: 0.75.
	Threshold float64
}

// DefaultTopics returns two topics a support desk should not answer: legal
// advice and medical advice. Their actions are the defaults (record on
// input, block on output). The examples are phrased as advice given to the
// reader ("you should sue..."), so that a summary reporting what a customer
// asked ("the customer threatened to sue") does not match them.
func DefaultTopics() []Topic {
	return []Topic{
		{
			Name:       "legal_advice",
			Definition: "Advice on the reader's legal rights, lawsuits, liability or how to take legal action.",
			Examples: []string{
				"you should sue the company", "you should take them to court", "you have a strong legal case",
				"you should file a lawsuit against them", "you are legally entitled to compensation",
				"this is legal advice", "you should talk to a lawyer and sue",
			},
		},
		{
			Name:       "medical_advice",
			Definition: "Diagnosis, treatment or medication advice about the reader's health.",
			Examples: []string{
				"you should take this medication", "you should increase the dosage", "you should stop taking your medication",
				"you may have an infection", "this is medical advice", "the treatment for your condition is",
				"you should see a doctor about your symptoms",
			},
		},
	}
}

type compiledTopic struct {
	Topic
	examples [][]string
	stemIDs  [][]int32 // the examples' words as indexes into topicStems
}

// topicStems returns the distinct stems of every example of every topic,
// and sets each example's stemIDs to their indexes.
func topicStems(topics []compiledTopic) []string {
	var stems []string
	index := map[string]int32{}
	for ti := range topics {
		t := &topics[ti]
		t.stemIDs = make([][]int32, len(t.examples))
		for ei, ex := range t.examples {
			for _, w := range ex {
				id, ok := index[w]
				if !ok {
					id = int32(len(stems))
					index[w] = id
					stems = append(stems, w)
				}
				t.stemIDs[ei] = append(t.stemIDs[ei], id)
			}
		}
	}
	return stems
}

func compileTopics(ts []Topic) ([]compiledTopic, error) {
	var out []compiledTopic
	seen := map[string]bool{}
	for i, t := range ts {
		if strings.TrimSpace(t.Name) == "" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: topic %d has no name", i+1)
		}
		if seen[t.Name] {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: topic %q is configured twice", t.Name)
		}
		seen[t.Name] = true
		if t.Input == "" {
			t.Input = ActionNone
		}
		if t.Output == "" {
			t.Output = ActionBlock
		}
		for _, a := range []Action{t.Input, t.Output} {
			if a != ActionNone && a != ActionBlock {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: topic %q has action %q (want NONE or BLOCK)", t.Name, a)
			}
		}
		if t.Threshold == 0 {
			t.Threshold = 0.75
		}
		if t.Threshold < 0 || t.Threshold > 1 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: topic %q threshold %v is outside [0,1]", t.Name, t.Threshold)
		}
		ct := compiledTopic{Topic: t}
		for _, e := range t.Examples {
			if w := contentWords(e); len(w) > 0 {
				ct.examples = append(ct.examples, w)
			}
		}
		if len(ct.examples) == 0 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: topic %q has no example phrase with a content word", t.Name)
		}
		out = append(out, ct)
	}
	return out, nil
}

// topicStop are words that carry no topic.
var topicStop = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "me": true, "my": true, "we": true, "our": true,
	"it": true, "this": true, "that": true, "is": true, "are": true, "am": true, "be": true, "was": true, "to": true, "of": true,
	"for": true, "in": true, "on": true, "at": true, "and": true, "or": true, "do": true, "does": true, "can": true,
	"would": true, "could": true, "what": true, "how": true, "about": true, "with": true, "please": true, "if": true, "so": true,
	"them": true, "they": true, "against": true, "take": true, "get": true, "have": true, "has": true, "will": true,
}

// stem strips common English suffixes so that "suing", "sued" and "sue"
// compare equal.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	return strings.TrimSuffix(w, "e")
}

// contentWords returns the stemmed content words of s.
func contentWords(s string) []string {
	var out []string
	for _, t := range tokenize(s) {
		if topicStop[t.folded] {
			continue
		}
		out = append(out, stem(t.folded))
	}
	return out
}

// detectTopics returns one hit per sentence and topic that match; toks are
// the text's tokens, whose topic field names their example stem. A
// sentence ends at . ! ? or a line break.
func detectTopics(topics []compiledTopic, text string, toks []token) []topicHit {
	if len(topics) == 0 {
		return nil
	}
	var out []topicHit
	var words []uint64 // the example stems the sentence holds, as a bit set
	start, prev, found := 0, 0, false
	// closeAt ends the sentence at a delimiter at i.
	closeAt := func(i int) {
		if found && i > start {
			for ti := range topics {
				if score := topics[ti].match(words); score > 0 {
					out = append(out, topicHit{topic: ti, start: start, end: i, score: score})
				}
			}
		}
		clear(words)
		start, found = i+1, false
	}
	// delimiters lie between words: look for them in the gaps only
	for k := 0; k <= len(toks); k++ {
		gapEnd := len(text)
		if k < len(toks) {
			gapEnd = toks[k].start
		}
		for i := prev; i < gapEnd; i++ {
			if sentenceEnd[text[i]] {
				closeAt(i)
			}
		}
		if k == len(toks) {
			break
		}
		if id := toks[k].topic; id > 0 && !toks[k].is(lxTopicStop) {
			w := int(id-1) >> 6
			for w >= len(words) {
				words = append(words, 0)
			}
			words[w] |= 1 << ((id - 1) & 63)
			found = true
		}
		prev = toks[k].end
	}
	closeAt(len(text))
	return out
}

// sentenceEnd holds the bytes that end a sentence.
var sentenceEnd = [256]bool{'.': true, '!': true, '?': true, '\n': true}

// match returns the best share of an example's words found in words (a bit
// set of stem indexes), or 0 when no example matches.
func (t *compiledTopic) match(words []uint64) float64 {
	best := 0.0
	for _, ex := range t.stemIDs {
		n := 0
		for _, id := range ex {
			if w := int(id) >> 6; w < len(words) && words[w]&(1<<(id&63)) != 0 {
				n++
			}
		}
		score := float64(n) / float64(len(ex))
		if (n >= 2 || len(ex) == 1 && n == 1) && score >= t.Threshold && score > best {
			best = score
		}
	}
	return best
}

type topicHit struct {
	topic      int
	start, end int
	score      float64
}
