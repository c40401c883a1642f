package eval

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// CellMetrics are the metrics of one configuration over the dataset. Its
// JSON keys are the metric names bars use. Percentages are on 0-100.
type CellMetrics struct {
	Name          string `json:"name"`
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
	// Tickets is the number of items; Errors of them produced no summary.
	// Quality figures are over the summaries made, so that an outage never
	// looks like a quality drop; a configuration with errors is never
	// recommended.
	Tickets int `json:"tickets"`
	Errors  int `json:"errors"`
	// ErrorReasons groups the errors by code and message, most frequent
	// first.
	ErrorReasons []Reason `json:"error_reasons,omitempty"`
	Cached       int      `json:"cached"`
	// WithReferences counts the summaries scored by ROUGE.
	WithReferences int `json:"with_references"`
	// Rouge1, Rouge2 and RougeL are mean F1 on 0-100 over the summaries
	// with references; nil when none has references.
	Rouge1 *float64 `json:"rouge1"`
	Rouge2 *float64 `json:"rouge2"`
	RougeL *float64 `json:"rougeL"`
	// FormatCompliance is the percentage of summaries that break no format
	// rule.
	FormatCompliance float64 `json:"format_compliance"`
	// PIILeaks counts summaries with personal data.
	PIILeaks int `json:"pii_leaks"`
	// StatusAccuracy is the percentage of labelled summaries whose status
	// is right; nil when no summary is labelled.
	StatusAccuracy *float64 `json:"status_accuracy"`
	StatusLabelled int      `json:"status_labelled"`
	// HallucinationRate is the percentage of summaries with at least one
	// entity the ticket does not contain; UnsupportedEntities counts them.
	HallucinationRate   float64 `json:"hallucination_rate"`
	UnsupportedEntities int     `json:"unsupported_entities"`
	// ToxicityRate is the percentage of summaries with toxic, insulting or
	// profane language (the guard's word filters, the toxicity lexicon, or
	// the judge); ToxicSummaries counts them and JudgeToxic those the judge
	// flagged.
	ToxicityRate   float64 `json:"toxicity_rate"`
	ToxicSummaries int     `json:"toxic_summaries"`
	JudgeToxic     int     `json:"judge_toxic"`
	// Repaired counts summaries that needed the repair call.
	Repaired           int     `json:"repaired"`
	MeanWords          float64 `json:"mean_words"`
	LatencyP50MS       float64 `json:"latency_p50_ms"`
	LatencyP95MS       float64 `json:"latency_p95_ms"`
	InputTokensPerTkt  float64 `json:"input_tokens_per_ticket"`
	OutputTokensPerTkt float64 `json:"output_tokens_per_ticket"`
	CostPerTicketUSD   float64 `json:"cost_per_ticket_usd"`
	// CostPerWeekUSD is CostPerTicketUSD times Config.TicketsPerWeek.
	CostPerWeekUSD float64 `json:"cost_per_week_usd"`
	// Judge scores are means on 1-5 over the items the judge scored; nil
	// without a judge or when it scored none.
	JudgeFaithfulness *float64 `json:"judge_faithfulness"`
	JudgeCompleteness *float64 `json:"judge_completeness"`
	JudgeTone         *float64 `json:"judge_tone"`
	JudgeScored       int      `json:"judge_scored"`
	JudgeUnscored     int      `json:"judge_unscored"`
	// JudgeErrorReasons says why items are unscored, most frequent first.
	JudgeErrorReasons []Reason `json:"judge_error_reasons,omitempty"`
	JudgeCostUSD      float64  `json:"judge_cost_usd"`
	// RobustStatusAgreement is the percentage of perturbed tickets whose
	// summary has the status of the unperturbed one, and RobustSimilarity
	// the mean ROUGE-L F1 (0-100) of perturbed against unperturbed
	// summaries; nil without Config.Robustness. Robustness has the detail.
	RobustStatusAgreement *float64    `json:"robust_status_agreement"`
	RobustSimilarity      *float64    `json:"robust_similarity"`
	Robustness            *Robustness `json:"robustness,omitempty"`
	// Human holds the blind human ratings of the configuration, when the
	// review package has any for the run (see HumanScores).
	Human *HumanScores `json:"human,omitempty"`
	// External holds scores computed elsewhere, by metric name, such as the
	// mean "Builtin.Correctness" (0-1) of an Amazon Bedrock evaluation job
	// imported into history.
	External map[string]float64 `json:"external,omitempty"`
	// Bars are the configured bars checked against these metrics.
	Bars []BarResult `json:"bars,omitempty"`
	// PassesBars is true when the configuration made every summary and met
	// every applicable bar.
	PassesBars bool `json:"passes_bars"`
	// Verdict is "pass", "fail" (a bar missed) or "errors" (some items
	// could not be evaluated).
	Verdict string `json:"verdict"`
	// RougeLDist holds each summary's ROUGE-L (0-100), for distribution
	// charts.
	RougeLDist []float64 `json:"rougeL_distribution,omitempty"`
	// Quality counts failure classes and labelled facts: a row for all
	// tickets, then one per labelled split (quality.go).
	Quality []QualityMetrics `json:"quality,omitempty"`
}

// Reason is one cause of failed items: an error code and message, and how
// many items it stopped.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// HumanScores are the blind human ratings of one configuration, filled in
// from the review package's report of the run (eval does not read them
// itself). Rates are on 0-100; nil without ratings of that method.
type HumanScores struct {
	Ratings      int      `json:"ratings"`
	LikertMean   *float64 `json:"likert_mean,omitempty"`
	ThumbsUpRate *float64 `json:"thumbs_up_rate,omitempty"`
	WinRate      *float64 `json:"win_rate,omitempty"`
}

// String renders the scores in a few words, e.g. "Likert 4.2, win 60% (n=30)".
func (h *HumanScores) String() string {
	if h == nil || h.Ratings == 0 {
		return "-"
	}
	var parts []string
	if h.LikertMean != nil {
		parts = append(parts, fmt.Sprintf("Likert %.1f", *h.LikertMean))
	}
	if h.ThumbsUpRate != nil {
		parts = append(parts, fmt.Sprintf("up %.0f%%", *h.ThumbsUpRate))
	}
	if h.WinRate != nil {
		parts = append(parts, fmt.Sprintf("win %.0f%%", *h.WinRate))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (n=%d)", h.Ratings)
}

// reasons counts items by error code and message, most frequent first.
func reasons(items []Item, pick func(Item) (code, msg string)) []Reason {
	var out []Reason
	idx := map[[2]string]int{}
	for _, it := range items {
		code, msg := pick(it)
		if msg == "" {
			continue
		}
		k := [2]string{code, msg}
		if i, ok := idx[k]; ok {
			out[i].Count++
			continue
		}
		idx[k] = len(out)
		out = append(out, Reason{Code: code, Message: msg, Count: 1})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// sums accumulates the per-summary figures of one configuration.
type sums struct {
	r1, r2, rl, words, in, out, cost, faith, comp, tone float64
	ok, halluc, correct, labelled, made, toxic          int
	lat                                                 []float64
}

func (s *sums) add(m *CellMetrics, it Item) {
	s.made++
	if it.Rouge != nil {
		m.WithReferences++
		s.r1 += it.Rouge.R1
		s.r2 += it.Rouge.R2
		s.rl += it.Rouge.RL
		m.RougeLDist = append(m.RougeLDist, round2(it.Rouge.RL))
	}
	if it.FormatOK {
		s.ok++
	}
	if it.PIILeak {
		m.PIILeaks++
	}
	if it.ExpectedStatus != "" {
		s.labelled++
		if it.Status == it.ExpectedStatus {
			s.correct++
		}
	}
	if len(it.Unsupported) > 0 {
		s.halluc++
		m.UnsupportedEntities += len(it.Unsupported)
	}
	if it.IsToxic() {
		s.toxic++
	}
	if it.Judge != nil && it.Judge.Toxic != nil && *it.Judge.Toxic {
		m.JudgeToxic++
	}
	for _, f := range it.Flags {
		if strings.HasPrefix(f, "repaired:") {
			m.Repaired++
			break
		}
	}
	s.words += float64(it.Words)
	s.in += float64(it.Usage.InputTokens + it.Usage.CacheReadTokens + it.Usage.CacheWriteTokens)
	s.out += float64(it.Usage.OutputTokens)
	s.cost += it.CostUSD
	s.lat = append(s.lat, it.LatencyMS)
	m.JudgeCostUSD += it.JudgeCostUSD
	if it.Judge != nil {
		m.JudgeScored++
		s.faith += float64(it.Judge.Faithfulness)
		s.comp += float64(it.Judge.Completeness)
		s.tone += float64(it.Judge.Tone)
	} else if it.JudgeError != "" {
		m.JudgeUnscored++
	}
}

// aggregate computes a configuration's metrics from its items. Quality
// figures are over the summaries made; errors are counted apart.
func aggregate(c Candidate, items []Item, perWeek int) CellMetrics {
	m := CellMetrics{Name: c.Name, Model: c.Model, PromptVersion: c.PromptVersion, Tickets: len(items)}
	var s sums
	for _, it := range items {
		if it.Cached {
			m.Cached++
		}
		if it.Error != "" {
			m.Errors++
			continue
		}
		s.add(&m, it)
	}
	m.ErrorReasons = reasons(items, func(it Item) (string, string) { return it.ErrorCode, it.Error })
	m.JudgeErrorReasons = reasons(items, func(it Item) (string, string) { return "", it.JudgeError })
	if m.WithReferences > 0 {
		n := float64(m.WithReferences)
		m.Rouge1, m.Rouge2, m.RougeL = ptr(s.r1/n), ptr(s.r2/n), ptr(s.rl/n)
	}
	m.StatusLabelled = s.labelled
	if s.labelled > 0 {
		m.StatusAccuracy = ptr(100 * float64(s.correct) / float64(s.labelled))
	}
	if s.made > 0 {
		n := float64(s.made)
		m.FormatCompliance = round2(100 * float64(s.ok) / n)
		m.HallucinationRate = round2(100 * float64(s.halluc) / n)
		m.ToxicSummaries = s.toxic
		m.ToxicityRate = round2(100 * float64(s.toxic) / n)
		m.MeanWords = round2(s.words / n)
		m.InputTokensPerTkt = round2(s.in / n)
		m.OutputTokensPerTkt = round2(s.out / n)
		m.CostPerTicketUSD = s.cost / n
		m.CostPerWeekUSD = round2(m.CostPerTicketUSD * float64(perWeek))
		m.LatencyP50MS = round2(percentile(s.lat, 50))
		m.LatencyP95MS = round2(percentile(s.lat, 95))
	}
	m.Quality = aggregateQuality(items)
	if m.JudgeScored > 0 {
		n := float64(m.JudgeScored)
		m.JudgeFaithfulness, m.JudgeCompleteness, m.JudgeTone = ptr(s.faith/n), ptr(s.comp/n), ptr(s.tone/n)
	}
	return m
}

// percentile returns the p-th percentile of xs by the nearest-rank method.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[max(rank, 1)-1]
}

func ptr(f float64) *float64 {
	f = round2(f)
	return &f
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
