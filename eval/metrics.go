package eval

import (
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
	Tickets int `json:"tickets"`
	Errors  int `json:"errors"`
	Cached  int `json:"cached"`
	// WithReferences counts the summaries scored by ROUGE.
	WithReferences int `json:"with_references"`
	// Rouge1, Rouge2 and RougeL are mean F1 on 0-100 over the summaries
	// with references; nil when none has references.
	Rouge1 *float64 `json:"rouge1"`
	Rouge2 *float64 `json:"rouge2"`
	RougeL *float64 `json:"rougeL"`
	// FormatCompliance is the percentage of items with a summary that
	// breaks no format rule (errors count as non-compliant).
	FormatCompliance float64 `json:"format_compliance"`
	// PIILeaks counts summaries with personal data.
	PIILeaks int `json:"pii_leaks"`
	// StatusAccuracy is the percentage of labelled items whose status is
	// right; nil when no item is labelled.
	StatusAccuracy *float64 `json:"status_accuracy"`
	StatusLabelled int      `json:"status_labelled"`
	// HallucinationRate is the percentage of summaries with at least one
	// entity the ticket does not contain; UnsupportedEntities counts them.
	HallucinationRate   float64 `json:"hallucination_rate"`
	UnsupportedEntities int     `json:"unsupported_entities"`
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
	JudgeCostUSD      float64  `json:"judge_cost_usd"`
	// Bars are the configured bars checked against these metrics.
	Bars []BarResult `json:"bars,omitempty"`
	// PassesBars is true when every bar is met.
	PassesBars bool `json:"passes_bars"`
	// RougeLDist holds each summary's ROUGE-L (0-100), for distribution
	// charts.
	RougeLDist []float64 `json:"rougeL_distribution,omitempty"`
	// Quality counts failure classes and labelled facts: a row for all
	// tickets, then one per labelled split (quality.go).
	Quality []QualityMetrics `json:"quality,omitempty"`
}

func aggregate(c Candidate, items []Item, perWeek int) CellMetrics {
	m := CellMetrics{Name: c.Name, Model: c.Model, PromptVersion: c.PromptVersion, Tickets: len(items)}
	var (
		r1, r2, rl, words, in, out, cost float64
		ok, halluc, correct, made        int
		faith, comp, tone                float64
		lat                              []float64
	)
	for _, it := range items {
		if it.Cached {
			m.Cached++
		}
		if it.ExpectedStatus != "" {
			m.StatusLabelled++
		}
		if it.Error != "" {
			m.Errors++
			continue
		}
		made++
		if it.Rouge != nil {
			m.WithReferences++
			r1 += it.Rouge.R1
			r2 += it.Rouge.R2
			rl += it.Rouge.RL
			m.RougeLDist = append(m.RougeLDist, round2(it.Rouge.RL))
		}
		if it.FormatOK {
			ok++
		}
		if it.PIILeak {
			m.PIILeaks++
		}
		if it.ExpectedStatus != "" && it.Status == it.ExpectedStatus {
			correct++
		}
		if len(it.Unsupported) > 0 {
			halluc++
			m.UnsupportedEntities += len(it.Unsupported)
		}
		for _, f := range it.Flags {
			if strings.HasPrefix(f, "repaired:") {
				m.Repaired++
				break
			}
		}
		words += float64(it.Words)
		in += float64(it.Usage.InputTokens + it.Usage.CacheReadTokens + it.Usage.CacheWriteTokens)
		out += float64(it.Usage.OutputTokens)
		cost += it.CostUSD
		lat = append(lat, it.LatencyMS)
		m.JudgeCostUSD += it.JudgeCostUSD
		if it.Judge != nil {
			m.JudgeScored++
			faith += float64(it.Judge.Faithfulness)
			comp += float64(it.Judge.Completeness)
			tone += float64(it.Judge.Tone)
		} else if it.JudgeError != "" {
			m.JudgeUnscored++
		}
	}
	if m.WithReferences > 0 {
		n := float64(m.WithReferences)
		m.Rouge1, m.Rouge2, m.RougeL = ptr(r1/n), ptr(r2/n), ptr(rl/n)
	}
	if m.Tickets > 0 {
		m.FormatCompliance = round2(100 * float64(ok) / float64(m.Tickets))
	}
	if m.StatusLabelled > 0 {
		m.StatusAccuracy = ptr(100 * float64(correct) / float64(m.StatusLabelled))
	}
	if made > 0 {
		n := float64(made)
		m.HallucinationRate = round2(100 * float64(halluc) / n)
		m.MeanWords = round2(words / n)
		m.InputTokensPerTkt = round2(in / n)
		m.OutputTokensPerTkt = round2(out / n)
		m.CostPerTicketUSD = cost / n
		m.CostPerWeekUSD = round2(m.CostPerTicketUSD * float64(perWeek))
		m.LatencyP50MS = round2(percentile(lat, 50))
		m.LatencyP95MS = round2(percentile(lat, 95))
	}
	m.Quality = aggregateQuality(items)
	if m.JudgeScored > 0 {
		n := float64(m.JudgeScored)
		m.JudgeFaithfulness, m.JudgeCompleteness, m.JudgeTone = ptr(faith/n), ptr(comp/n), ptr(tone/n)
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
