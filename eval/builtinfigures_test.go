package eval_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/internal/datasets"
)

// baselineSummarizer is a trivial baseline: pick builds the summary text.
type baselineSummarizer struct {
	pick func(t *ticketsum.Ticket) string
}

func (b baselineSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{TicketID: t.ID, Text: b.pick(t), Status: ticketsum.StatusResolved, Model: "baseline"}, nil
}

// leadWords is the first n words of the thread.
func leadWords(n int) func(t *ticketsum.Ticket) string {
	return func(t *ticketsum.Ticket) string {
		var words []string
		for _, m := range t.Messages {
			words = append(words, strings.Fields(m.Body)...)
			if len(words) >= n {
				break
			}
		}
		return strings.Join(words[:min(n, len(words))], " ")
	}
}

// firstAndLast is the first message and the last message of the other
// role (the first customer turn and the last agent turn on support
// dialogs), cut to 60 words.
func firstAndLast(t *ticketsum.Ticket) string {
	first := t.Messages[0]
	last := ""
	for i := len(t.Messages) - 1; i > 0; i-- {
		if t.Messages[i].Role != first.Role {
			last = t.Messages[i].Body
			break
		}
	}
	return strings.Join(strings.Fields(first.Body + " " + last)[:min(60, len(strings.Fields(first.Body+" "+last)))], " ")
}

func baselineCandidate(name string, s ticketsum.Summarizer, version string) eval.Candidate {
	return eval.Candidate{Name: name, Model: name, PromptVersion: version,
		New: func() (ticketsum.Summarizer, error) { return s, nil }}
}

// TestBuiltinAgainstBaselines measures the built-in summariser next to two
// trivial baselines on the TweetSumm and DialogSum test sets, through the
// same runner as any model. With -worked-example-out the tables are
// written there for docs/evaluation.md.
func TestBuiltinAgainstBaselines(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tweetsumm/tweetsumm_test.jsonl", "dialogsum/dialogsum_test.jsonl", "sample"} {
		// The repository's 50 hand-written tickets: status labels, no
		// references.
		path := "../sample/tickets.jsonl"
		if name != "sample" {
			path = datasets.Path(t, name)
		}
		ds, err := eval.LoadDataset(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		bi, err := builtin.New(builtin.Config{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := eval.NewRunner(eval.Config{Candidates: []eval.Candidate{
			baselineCandidate("builtin", bi, builtin.PromptVersion),
			baselineCandidate("lead-60-words", baselineSummarizer{leadWords(60)}, "baseline"),
			baselineCandidate("first+last-turn", baselineSummarizer{firstAndLast}, "baseline"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.Run(context.Background(), ds)
		if err != nil {
			t.Fatal(err)
		}
		var table strings.Builder
		if err := rep.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + table.String())
		if *workedOut != "" {
			if err := os.MkdirAll(*workedOut, 0o755); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(*workedOut, strings.TrimSuffix(filepath.Base(path), ".jsonl")+"-builtin.txt")
			if err := os.WriteFile(out, []byte(table.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b := metricsOf(t, rep, "builtin")
		if b.Errors != 0 || name != "sample" && (b.RougeL == nil || *b.RougeL <= 0) || name == "sample" && b.StatusAccuracy == nil {
			t.Errorf("%s: builtin errors %d, ROUGE-L %v, status accuracy %v", name, b.Errors, b.RougeL, b.StatusAccuracy)
		}
	}
}
