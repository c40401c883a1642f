package review

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// Report is the unblinded result of rating: per configuration scores and
// the raters' agreement per method.
type Report struct {
	Source         string         `json:"source,omitempty"`
	Tasks          int            `json:"tasks"`
	Ratings        int            `json:"ratings"`
	Raters         int            `json:"raters"`
	Configurations []ConfigScores `json:"configurations"`
	Agreement      []Agreement    `json:"agreement"`
}

// ConfigScores are one configuration's human scores. Rates are on 0-100
// and nil without ratings.
type ConfigScores struct {
	Config        string `json:"config"`
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version,omitempty"`
	// LikertN ratings on 1-5 with mean LikertMean.
	LikertN    int      `json:"likert_n"`
	LikertMean *float64 `json:"likert_mean,omitempty"`
	// ThumbsN ratings of which ThumbsUp were up.
	ThumbsN      int      `json:"thumbs_n"`
	ThumbsUp     int      `json:"thumbs_up"`
	ThumbsUpRate *float64 `json:"thumbs_up_rate,omitempty"`
	// Comparisons pairwise choices involving the configuration; a tie
	// counts half a win in WinRate.
	Comparisons int      `json:"comparisons"`
	Wins        int      `json:"wins"`
	Losses      int      `json:"losses"`
	Ties        int      `json:"ties"`
	WinRate     *float64 `json:"win_rate,omitempty"`
}

// Report builds the report of source's tasks ("" for every task).
func (s *Service) Report(ctx context.Context, source string) (*Report, error) {
	tasks, err := s.cfg.Store.ListTasks(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("review report: %w", err)
	}
	rs, err := s.cfg.Store.ListRatings(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("review report: %w", err)
	}
	return BuildReport(source, tasks, rs), nil
}

// BuildReport computes the report of tasks and their ratings.
func BuildReport(source string, tasks []*Task, rs []*Rating) *Report {
	rep := &Report{Source: source, Tasks: len(tasks), Ratings: len(rs)}
	byID := map[string]*Task{}
	idx := map[string]int{}
	score := func(c *Candidate) *ConfigScores {
		i, ok := idx[c.Config]
		if !ok {
			i = len(rep.Configurations)
			idx[c.Config] = i
			rep.Configurations = append(rep.Configurations, ConfigScores{Config: c.Config, Model: c.Model, PromptVersion: c.PromptVersion})
		}
		return &rep.Configurations[i]
	}
	for _, t := range tasks {
		byID[t.ID] = t
		for i := range t.Candidates {
			score(&t.Candidates[i])
		}
	}
	sums := map[string]float64{}
	raters := map[string]bool{}
	for _, r := range rs {
		t := byID[r.TaskID]
		if t == nil {
			continue
		}
		raters[r.Rater] = true
		switch r.Method {
		case Likert, Thumbs:
			c := t.Candidate(r.Label)
			if c == nil {
				continue
			}
			cs := score(c)
			if r.Method == Likert {
				cs.LikertN++
				sums[c.Config] += float64(r.Score)
			} else {
				cs.ThumbsN++
				cs.ThumbsUp += r.Score
			}
		case Choice:
			for i := range t.Candidates {
				c := &t.Candidates[i]
				cs := score(c)
				cs.Comparisons++
				switch r.Chosen {
				case Tie:
					cs.Ties++
				case c.Label:
					cs.Wins++
				default:
					cs.Losses++
				}
			}
		}
	}
	rep.Raters = len(raters)
	for i := range rep.Configurations {
		cs := &rep.Configurations[i]
		if cs.LikertN > 0 {
			m := sums[cs.Config] / float64(cs.LikertN)
			cs.LikertMean = &m
		}
		if cs.ThumbsN > 0 {
			r := 100 * float64(cs.ThumbsUp) / float64(cs.ThumbsN)
			cs.ThumbsUpRate = &r
		}
		if cs.Comparisons > 0 {
			r := 100 * (float64(cs.Wins) + float64(cs.Ties)/2) / float64(cs.Comparisons)
			cs.WinRate = &r
		}
	}
	for _, m := range []Method{Thumbs, Likert, Choice} {
		if ag := agreement(m, rs); ag.Raters > 0 {
			rep.Agreement = append(rep.Agreement, ag)
		}
	}
	return rep
}

func fmtOpt(f *float64, format string) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf(format, *f)
}

// WriteTable writes the report as a terminal table.
func (rep *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "human rating%s: %d tasks, %d ratings by %d raters\n\n", sourceSuffix(rep.Source), rep.Tasks, rep.Ratings, rep.Raters)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "configuration\tLikert (n)\tthumbs up% (n)\twin% (W/L/T)")
	for _, c := range rep.Configurations {
		fmt.Fprintf(tw, "%s\t%s (%d)\t%s (%d)\t%s (%d/%d/%d)\n", c.Config, fmtOpt(c.LikertMean, "%.2f"), c.LikertN,
			fmtOpt(c.ThumbsUpRate, "%.1f"), c.ThumbsN, fmtOpt(c.WinRate, "%.1f"), c.Wins, c.Losses, c.Ties)
	}
	if len(rep.Agreement) > 0 {
		fmt.Fprintln(tw, "\nagreement\traters\titems rated twice+\tagreement%\tkappa")
		for _, a := range rep.Agreement {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s %s\n", a.Method, a.Raters, a.Items, a.PercentAgreement, fmtOpt(a.Kappa, "%.3f"), a.Statistic)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write review report: %w", err)
	}
	return nil
}

func sourceSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " of " + s
}
