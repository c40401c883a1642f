package eval_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/internal/datasets"
)

type dialog struct {
	ID    string `json:"id"`
	Turns []struct {
		Role string `json:"role"`
		Text string `json:"text"`
	} `json:"turns"`
	Summaries  []string `json:"summaries"`
	Extractive [][]struct {
		Text string `json:"text"`
	} `json:"extractive"`
}

// mustDialogs reads a dataset in the shared dialog format, skipping the test
// when the shared datasets are not beside the repository.
func mustDialogs(tb testing.TB, name string) []dialog {
	tb.Helper()
	path := datasets.Path(tb, name)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []dialog
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var d dialog
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// firstCustomerLastAgent is the trivial baseline of issue 2: the first
// customer turn, a space, and the last agent turn.
func firstCustomerLastAgent(d dialog) string {
	var first, last string
	for _, t := range d.Turns {
		if t.Role == "customer" && first == "" {
			first = t.Text
		}
		if t.Role == "agent" {
			last = t.Text
		}
	}
	return first + " " + last
}

func TestRougeReproducesTweetSummBaseline(t *testing.T) {
	t.Parallel()
	dialogs := mustDialogs(t, "tweetsumm/tweetsumm_test.jsonl")
	if len(dialogs) != 110 {
		t.Fatalf("read %d dialogs, want 110", len(dialogs))
	}
	var scores []eval.Scores
	for _, d := range dialogs {
		scores = append(scores, eval.Rouge(firstCustomerLastAgent(d), d.Summaries))
	}
	got := eval.Mean(scores).Percent()
	gotText := fmt.Sprintf("%.2f / %.2f / %.2f", got.R1, got.R2, got.RL)
	if want := "29.55 / 13.57 / 24.83"; gotText != want {
		t.Errorf("baseline ROUGE-1/2/L = %s, want %s", gotText, want)
	}
}

// TestRougeReproducesHumanExtractive reproduces the issue's "human
// extractive" figure, 31.02 / 14.78 / 25.36: the first annotator's
// extractive sentences joined by spaces, against the abstractive
// summaries, over the 109 test dialogs that have one.
func TestRougeReproducesHumanExtractive(t *testing.T) {
	t.Parallel()
	var scores []eval.Scores
	for _, d := range mustDialogs(t, "tweetsumm/tweetsumm_test.jsonl") {
		if len(d.Extractive) == 0 {
			continue
		}
		var parts []string
		for _, s := range d.Extractive[0] {
			parts = append(parts, s.Text)
		}
		scores = append(scores, eval.Rouge(strings.Join(parts, " "), d.Summaries))
	}
	if len(scores) != 109 {
		t.Fatalf("%d dialogs with an extractive summary, want 109", len(scores))
	}
	if got, want := eval.Mean(scores).String(), "ROUGE-1/2/L 31.02 / 14.78 / 25.36"; got != want {
		t.Errorf("human extractive = %s, want %s", got, want)
	}
}
