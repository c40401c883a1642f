package eval

import (
	"fmt"

	"github.com/ticketsum/ticketsum"
)

// RobustnessConfig turns on the robustness measurement: every ticket is
// summarised again under each perturbation, and the perturbed summaries
// are compared with the unperturbed ones.
type RobustnessConfig struct {
	// Perturbations to apply. Default Perturbations(), all five.
	Perturbations []Perturbation
	// Seed seeds the perturbations' randomness; the same seed perturbs the
	// same ticket the same way, so runs repeat and the cache serves them.
	// Default 1.
	Seed uint64
}

// RobustnessInfo records how a run measured robustness.
type RobustnessInfo struct {
	Perturbations []string `json:"perturbations"`
	Seed          uint64   `json:"seed"`
}

// Robustness is one configuration's behaviour under perturbation, pooled
// over every perturbation and per perturbation.
type Robustness struct {
	PerturbationResult
	ByPerturbation []PerturbationResult `json:"by_perturbation"`
}

// PerturbationResult compares perturbed with unperturbed summaries.
type PerturbationResult struct {
	// Name is the perturbation's ("" for the pooled result).
	Name string `json:"name,omitempty"`
	// Items counts the perturbed summaries compared with an unperturbed
	// one; Errors the perturbed tickets that got no summary.
	Items  int `json:"items"`
	Errors int `json:"errors"`
	// StatusAgreement is the percentage of perturbed summaries with the
	// unperturbed summary's status; Similarity their mean ROUGE-L F1
	// (0-100) against the unperturbed summary. Nil without items.
	StatusAgreement *float64 `json:"status_agreement"`
	Similarity      *float64 `json:"similarity"`
	// Deltas is the change of each quality figure (perturbed minus
	// unperturbed), by metric key: rougeL, format_compliance, pii_leaks,
	// status_accuracy, hallucination_rate, toxicity_rate.
	Deltas map[string]float64 `json:"deltas,omitempty"`
}

// RobustnessPlan is what a robustness run adds before it runs: model calls
// and their estimated cost.
type RobustnessPlan struct {
	Perturbations int
	Tickets       int
	// Calls counts the perturbed tickets to summarise (a perturbation that
	// changes nothing adds no call); Cached those the cache already has.
	Calls  int
	Cached int
	// CostUSD estimates the calls not cached; CostKnown is false when a
	// candidate has no Candidate.EstimateUSD.
	CostUSD   float64
	CostKnown bool
}

// String says the plan in one line, e.g. "robustness: this adds 5 x 50
// calls per configuration (496 in all, 0 cached), about $0.42".
func (p RobustnessPlan) String() string {
	cost := "cost unknown (no price for a model)"
	if p.CostKnown {
		cost = fmt.Sprintf("about $%.2f", p.CostUSD)
	}
	return fmt.Sprintf("robustness: this adds %d x %d calls per configuration (%d in all, %d cached), %s",
		p.Perturbations, p.Tickets, p.Calls, p.Cached, cost)
}

// PlanRobustness returns the calls and estimated cost that Config.Robustness
// adds to a run on ds; the zero plan without it.
func (r *Runner) PlanRobustness(ds *Dataset) RobustnessPlan {
	rc := r.cfg.Robustness
	if rc == nil || ds == nil {
		return RobustnessPlan{}
	}
	p := RobustnessPlan{Perturbations: len(rc.Perturbations), Tickets: len(ds.Tickets), CostKnown: true}
	perturbed := perturbedTickets(rc, ds)
	for _, c := range r.cfg.Candidates {
		for _, tickets := range perturbed {
			for _, pt := range tickets {
				if pt == nil {
					continue
				}
				p.Calls++
				if r.cfg.Cache != nil && !r.cfg.Refresh {
					if _, ok := r.cfg.Cache.Get(CacheKey(c.Model, c.PromptVersion, pt)); ok {
						p.Cached++
						continue
					}
				}
				if c.EstimateUSD == nil {
					p.CostKnown = false
					continue
				}
				p.CostUSD += c.EstimateUSD(pt)
			}
		}
	}
	return p
}

// robustnessOf compares a configuration's perturbed items (by perturbation,
// then ticket) with its unperturbed ones.
func robustnessOf(c Candidate, base []Item, perturbed [][]Item, names []string, perWeek int) *Robustness {
	ref := aggregate(c, base, perWeek)
	rob := &Robustness{}
	var pooled []Item
	for i, items := range perturbed {
		res := comparePerturbed(c, base, items, ref, perWeek)
		res.Name = names[i]
		rob.ByPerturbation = append(rob.ByPerturbation, res)
		pooled = append(pooled, items...)
	}
	var pooledBase []Item
	for range perturbed {
		pooledBase = append(pooledBase, base...)
	}
	rob.PerturbationResult = comparePerturbed(c, pooledBase, pooled, ref, perWeek)
	return rob
}

// comparePerturbed compares items with base, item by item.
func comparePerturbed(c Candidate, base, items []Item, ref CellMetrics, perWeek int) PerturbationResult {
	var res PerturbationResult
	var agree int
	var sim float64
	for i, it := range items {
		if it.Error != "" {
			res.Errors++
			continue
		}
		if base[i].Error != "" {
			continue
		}
		res.Items++
		if it.Status == base[i].Status {
			agree++
		}
		sim += Rouge(it.Summary, []string{base[i].Summary}).RL
	}
	if res.Items > 0 {
		res.StatusAgreement = ptr(100 * float64(agree) / float64(res.Items))
		res.Similarity = ptr(100 * sim / float64(res.Items))
	}
	pm := aggregate(c, items, perWeek)
	res.Deltas = map[string]float64{
		"format_compliance":  round2(pm.FormatCompliance - ref.FormatCompliance),
		"pii_leaks":          float64(pm.PIILeaks - ref.PIILeaks*len(items)/max(len(base), 1)),
		"hallucination_rate": round2(pm.HallucinationRate - ref.HallucinationRate),
		"toxicity_rate":      round2(pm.ToxicityRate - ref.ToxicityRate),
	}
	if pm.RougeL != nil && ref.RougeL != nil {
		res.Deltas["rougeL"] = round2(*pm.RougeL - *ref.RougeL)
	}
	if pm.StatusAccuracy != nil && ref.StatusAccuracy != nil {
		res.Deltas["status_accuracy"] = round2(*pm.StatusAccuracy - *ref.StatusAccuracy)
	}
	return res
}

// perturbedTickets returns, per perturbation, the perturbed tickets of ds;
// nil where the perturbation left a ticket unchanged (no number to spell
// out), whose unperturbed summary then stands for it without a call.
func perturbedTickets(rc *RobustnessConfig, ds *Dataset) [][]*ticketsum.Ticket {
	out := make([][]*ticketsum.Ticket, len(rc.Perturbations))
	for i, p := range rc.Perturbations {
		out[i] = make([]*ticketsum.Ticket, len(ds.Tickets))
		for j, t := range ds.Tickets {
			if pt := Perturb(t, p, rc.Seed); pt.ContentHash() != t.ContentHash() {
				out[i][j] = pt
			}
		}
	}
	return out
}
