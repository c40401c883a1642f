package plan

import (
	"strings"
)

// Stage is one row of the lifecycle table: whether the workload needs the
// stage, and the evidence.
type Stage struct {
	Name     string `json:"name"`
	Needed   bool   `json:"needed"`
	Evidence string `json:"evidence"`
}

func stages(cfg Config, p *Plan) []Stage {
	w := p.Workload
	cheapest, dearest := Option{}, Option{}
	n := 0
	for _, o := range sortedOptions(p.Options) {
		if o.Surface != OnDemand {
			continue
		}
		if n == 0 {
			cheapest = o
		}
		dearest = o
		n++
	}
	choice := "no models priced"
	if n > 0 {
		choice = itoa(n) + " models priced on-demand from $" + ftoa(cheapest.WeeklyCostUSD) + " (" + cheapest.Model + ") to $" +
			ftoa(dearest.WeeklyCostUSD) + " a week; choose the cheapest that meets the quality bar with `ticketsum eval`"
	}
	quota := "no quota configured to check the peak hour against"
	for _, q := range p.Quotas {
		if q.Model == p.Recommendation.Model || (p.Recommendation.Model == "" && len(p.Quotas) > 0) {
			quota = "peak hour of " + ftoa(w.PeakHourTickets) + " tickets needs " + ftoa(q.PeakRequestsPerMinute) + " requests and " +
				ftoa(q.PeakTokensPerMinute) + " tokens a minute on " + q.Model + ": quota " + q.Status
			break
		}
	}
	surface := "undecided: " + strings.Join(p.Recommendation.Reasons, "; ")
	if p.Recommendation.Surface != "" {
		surface = p.Recommendation.Surface + ": " + strings.Join(p.Recommendation.Reasons[:1], "")
	}
	return []Stage{
		{"model choice", true, choice},
		{"access", true, "one Model interface over Bedrock, SageMaker and OpenAI-compatible servers; providers return coded errors and usage"},
		{"adaptation", true, "a versioned prompt template (tone guide, few-shot examples) of about " + ftoa(w.StaticPromptTokens) + " static tokens"},
		{"deployment surface", true, surface},
		{"integration", true, ftoa(w.TicketsPerWeek) + " tickets a week through a durable queue with rate limits, retries and fallback; " + quota},
		{"evaluation", true, evalEvidence(cfg.Evidence)},
		{"governance", true, "ticket threads carry customer names, emails and phone numbers: redact input, guard output, keep an audit trail and attribute cost"},
		{"retrieval", false, "not needed: a summary uses only the ticket's own thread; there is no knowledge base to search"},
		fineTuning(cfg),
	}
}

func evalEvidence(e Evidence) string {
	switch {
	case !e.EvalRun:
		return "no evaluation results yet: run `ticketsum eval` on labelled tickets before choosing the model"
	case e.EvalSummary != "":
		return "evaluation results: " + e.EvalSummary
	}
	return "evaluation results exist; keep tracking quality and drift"
}

func fineTuning(cfg Config) Stage {
	e := cfg.Evidence
	switch {
	case cfg.Constraints.FineTuned:
		return Stage{"fine-tuning", true, "the configuration requires a fine-tuned model: export approved summaries as the training set"}
	case !e.EvalRun:
		return Stage{"fine-tuning", false, "not yet: no evaluation results; prompting comes first and `ticketsum eval` says whether it is enough"}
	case e.EvalMeetsBar:
		return Stage{"fine-tuning", false, "not yet: evaluation shows the prompt meets every bar" + paren(e.EvalSummary)}
	}
	return Stage{"fine-tuning", false, "not yet: evaluation shows the prompt misses the bar" + paren(e.EvalSummary) +
		"; improve the prompt and examples first, and fine-tune on approved summaries when prompting plateaus"}
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
