package guard

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/internal/datasets"
)

// tweetsummName is TweetSumm's test split in the shared datasets directory.
const tweetsummName = "tweetsumm/tweetsumm_test.jsonl"

// TestCleanSummariesFalsePositives runs the output policy (with the default
// topics) over TweetSumm's human reference summaries, which hold no personal
// data, profanity or prompt attacks, and reports what it finds there: every
// finding is a false positive. It fails if more than 2% of summaries would
// be blocked.
func TestCleanSummariesFalsePositives(t *testing.T) {
	t.Parallel()
	f, err := os.Open(datasets.Path(t, tweetsummName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	counts := map[string]int{}
	n, blocked, flagged := 0, 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d struct {
			Summaries []string `json:"summaries"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Summaries {
			n++
			res, err := g.CheckOutput(context.Background(), nil, s)
			if err != nil && !res.Blocked() {
				t.Fatal(err)
			}
			if res.Blocked() {
				blocked++
			}
			if len(res.Findings) > 0 {
				flagged++
			}
			for _, fd := range res.Findings {
				if *showMisses == "clean" {
					t.Logf("%s %q in %q", fd.Type, s[fd.Start:fd.End], s)
				}
				counts[string(fd.Kind)+":"+fd.Type]++
			}
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("  " + k + " " + strconv.Itoa(counts[k]) + "\n")
	}
	t.Logf("%d clean summaries: %d with a finding, %d blocked\n%s", n, flagged, blocked, b.String())
	if n == 0 {
		t.Fatal("no summaries read")
	}
	if float64(blocked) > 0.02*float64(n) {
		t.Errorf("%d of %d clean summaries blocked (more than 2%%)", blocked, n)
	}
}

// TestCleanDialogsAttackFlags runs the input policy over every turn of
// TweetSumm's test dialogs (real customer-care conversations, none of them
// an attack) and reports the prompt-attack, topic and word-filter findings:
// all false positives. It fails if more than 1% of turns are flagged as
// prompt attacks or blocked.
func TestCleanDialogsAttackFlags(t *testing.T) {
	t.Parallel()
	f, err := os.Open(datasets.Path(t, tweetsummName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	counts := map[string]int{}
	turns, attacks, blocked := 0, 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d struct {
			Turns []struct {
				Text string `json:"text"`
			} `json:"turns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		for _, turn := range d.Turns {
			turns++
			res, err := g.CheckInput(context.Background(), nil, turn.Text)
			if err != nil {
				blocked++
				continue
			}
			hit := false
			for _, fd := range res.Findings {
				if fd.Kind == KindPII {
					continue
				}
				counts[string(fd.Kind)+":"+fd.Type]++
				if *showMisses == "clean" {
					t.Logf("%s %q in %q", fd.Type, turn.Text[fd.Start:fd.End], turn.Text)
				}
				if fd.Kind == KindPromptAttack {
					hit = true
				}
			}
			if hit {
				attacks++
			}
		}
	}
	t.Logf("%d dialog turns: %d flagged as prompt attacks, %d blocked; non-PII findings %v", turns, attacks, blocked, counts)
	if turns == 0 {
		t.Fatal("no turns read")
	}
	if float64(attacks+blocked) > 0.01*float64(turns) {
		t.Errorf("%d attack flags and %d blocks in %d clean turns (more than 1%%)", attacks, blocked, turns)
	}
}
