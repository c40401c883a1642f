package review_test

import (
	"math"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/review"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// expand turns counts of category pairs into two raters' label slices.
func expand(pairs map[[2]string]int) (a, b []string) {
	for p, n := range pairs {
		for range n {
			a, b = append(a, p[0]), append(b, p[1])
		}
	}
	return a, b
}

func TestCohenKappa(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		pairs map[[2]string]int
		want  float64
		ok    bool
	}{
		// 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15. po = 35/50 =
		// 0.7; rater 1 says yes 25/50, rater 2 30/50; pe = .5*.6 + .5*.4 =
		// 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4.
		{"textbook", map[[2]string]int{{"y", "y"}: 20, {"y", "n"}: 5, {"n", "y"}: 10, {"n", "n"}: 15}, 0.4, true},
		// Perfect agreement on two categories: kappa 1.
		{"perfect", map[[2]string]int{{"1", "1"}: 3, {"0", "0"}: 2}, 1, true},
		// Systematic disagreement: po = 0, pe = .5*.5*2 = 0.5, kappa -1.
		{"opposite", map[[2]string]int{{"1", "0"}: 4, {"0", "1"}: 4}, -1, true},
		// Both raters always say the same single category: pe = 1, undefined.
		{"one category", map[[2]string]int{{"1", "1"}: 4}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := expand(tc.pairs)
			got, ok := review.CohenKappa(a, b)
			if ok != tc.ok || ok && !near(got, tc.want, 1e-9) {
				t.Errorf("CohenKappa = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := review.CohenKappa([]string{"a"}, nil); ok {
		t.Error("CohenKappa accepted slices of different lengths")
	}
}

func TestFleissKappa(t *testing.T) {
	t.Parallel()
	// Fleiss (1971)'s worked example as reproduced in most textbooks: 10
	// subjects, 14 raters, 5 categories. P-bar = 0.378, Pe = 0.2128,
	// kappa = (0.378 - 0.2128) / (1 - 0.2128) = 0.2099.
	counts := [][]int{
		{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
		{7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7},
	}
	k, ok := review.FleissKappa(counts)
	if !ok || !near(k, 0.2099, 0.0005) {
		t.Errorf("FleissKappa(textbook) = %.4f, %v; want 0.2099", k, ok)
	}
	// Three raters, two items, full agreement on different categories.
	if k, ok := review.FleissKappa([][]int{{3, 0}, {0, 3}}); !ok || !near(k, 1, 1e-9) {
		t.Errorf("FleissKappa(perfect) = %v, %v; want 1", k, ok)
	}
	if _, ok := review.FleissKappa([][]int{{3, 0}, {3, 0}}); ok {
		t.Error("FleissKappa with every rating in one category should be undefined")
	}
	if _, ok := review.FleissKappa(nil); ok {
		t.Error("FleissKappa of nothing should be undefined")
	}
}

// rating is a short constructor for report tests.
func rating(task, label, rater string, m review.Method, score int, chosen string) *review.Rating {
	return &review.Rating{TaskID: task, Label: label, Rater: rater, Method: m, Score: score, Chosen: chosen}
}

func TestReportAgreement(t *testing.T) {
	t.Parallel()
	tasks := []*review.Task{
		task("a", "s", review.Thumbs, newClock().Now()),
		task("b", "s", review.Thumbs, newClock().Now()),
	}
	t.Run("two raters use Cohen", func(t *testing.T) {
		t.Parallel()
		// Items aA, aB, bA, bB. pm: 1 1 0 0; qa: 1 0 0 0. Agreement 3/4.
		// pm says 1 half the time, qa a quarter: pe = .5*.25 + .5*.75 =
		// 0.5; kappa = (0.75 - 0.5) / 0.5 = 0.5.
		var rs []*review.Rating
		for i, lab := range []string{"aA", "aB", "bA", "bB"} {
			rs = append(rs, rating(lab[:1], lab[1:], "pm", review.Thumbs, []int{1, 1, 0, 0}[i], ""))
			rs = append(rs, rating(lab[:1], lab[1:], "qa", review.Thumbs, []int{1, 0, 0, 0}[i], ""))
		}
		rep := review.BuildReport("s", tasks, rs)
		if len(rep.Agreement) != 1 {
			t.Fatalf("agreement = %+v, want one entry for thumbs", rep.Agreement)
		}
		ag := rep.Agreement[0]
		if ag.Statistic != "cohen_kappa" || ag.Raters != 2 || ag.Items != 4 || !near(ag.PercentAgreement, 75, 1e-9) || ag.Kappa == nil || !near(*ag.Kappa, 0.5, 1e-9) {
			t.Errorf("agreement = %+v (kappa %v), want Cohen 0.5 at 75%% over 4 items", ag, ag.Kappa)
		}
	})
	t.Run("three raters use Fleiss", func(t *testing.T) {
		t.Parallel()
		// Items aA: 1 1 1, aB: 1 1 0. Category counts [0s, 1s]: [0,3], [1,2].
		// P_1 = 1, P_2 = (2*1)/(3*2) = 1/3; P-bar = 2/3. p(1) = 5/6,
		// p(0) = 1/6; Pe = 26/36; kappa = (2/3 - 26/36) / (10/36) = -0.2.
		rs := []*review.Rating{
			rating("a", "A", "pm", review.Thumbs, 1, ""), rating("a", "A", "qa", review.Thumbs, 1, ""), rating("a", "A", "lead", review.Thumbs, 1, ""),
			rating("a", "B", "pm", review.Thumbs, 1, ""), rating("a", "B", "qa", review.Thumbs, 1, ""), rating("a", "B", "lead", review.Thumbs, 0, ""),
			rating("b", "A", "pm", review.Thumbs, 0, ""), // rated once: not counted
		}
		ag := review.BuildReport("s", tasks, rs).Agreement[0]
		if ag.Statistic != "fleiss_kappa" || ag.Items != 2 || ag.Raters != 3 || !near(ag.PercentAgreement, 100*2.0/3, 1e-9) || ag.Kappa == nil || !near(*ag.Kappa, -0.2, 1e-9) {
			t.Errorf("agreement = %+v (kappa %v), want Fleiss -0.2 at 66.7%% over 2 items", ag, ag.Kappa)
		}
	})
}

func TestReportScores(t *testing.T) {
	t.Parallel()
	at := newClock().Now()
	// In the likert task "l", haiku is A and nova is B; in the choice
	// tasks c1 and c2 the labels are swapped in c2, as shuffling does.
	l := task("l", "s", review.Likert, at)
	c1 := task("c1", "s", review.Choice, at)
	c2 := task("c2", "s", review.Choice, at)
	c2.Candidates[0].Label, c2.Candidates[1].Label = "B", "A"
	th := task("th", "s", review.Thumbs, at)
	rs := []*review.Rating{
		rating("l", "A", "pm", review.Likert, 4, ""), rating("l", "A", "qa", review.Likert, 5, ""),
		rating("l", "B", "pm", review.Likert, 2, ""),
		rating("c1", "", "pm", review.Choice, 0, "A"), // haiku wins
		rating("c2", "", "pm", review.Choice, 0, "A"), // nova (A in c2) wins
		rating("c2", "", "qa", review.Choice, 0, "tie"),
		rating("th", "A", "pm", review.Thumbs, 1, ""), rating("th", "B", "pm", review.Thumbs, 0, ""),
		rating("th", "B", "qa", review.Thumbs, 1, ""),
	}
	rep := review.BuildReport("s", []*review.Task{l, c1, c2, th}, rs)
	if rep.Tasks != 4 || rep.Ratings != len(rs) || rep.Raters != 2 || len(rep.Configurations) != 2 {
		t.Fatalf("report totals = %d tasks, %d ratings, %d raters, %d configs", rep.Tasks, rep.Ratings, rep.Raters, len(rep.Configurations))
	}
	haiku, nova := rep.Configurations[0], rep.Configurations[1]
	if haiku.Config != "haiku/v1" || nova.Config != "nova/v1" {
		t.Fatalf("configs = %s, %s", haiku.Config, nova.Config)
	}
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || !near(*got, want, 1e-9) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("haiku likert", haiku.LikertMean, 4.5)
	check("nova likert", nova.LikertMean, 2)
	check("haiku thumbs", haiku.ThumbsUpRate, 100)
	check("nova thumbs", nova.ThumbsUpRate, 50)
	// haiku: c1 win, c2 loss (pm), c2 tie (qa): (1 + 0.5) / 3.
	check("haiku win rate", haiku.WinRate, 100*1.5/3)
	check("nova win rate", nova.WinRate, 100*1.5/3)
	if haiku.Wins != 1 || haiku.Losses != 1 || haiku.Ties != 1 || haiku.LikertN != 2 || nova.ThumbsN != 2 {
		t.Errorf("haiku counts = %+v", haiku)
	}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"haiku/v1", "4.50 (2)", "100.0 (1)", "50.0 (1/1/1)", "cohen_kappa"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
