package plan

import (
	"strings"
)

// Recommendation is the cheapest surface for the reference model (the first
// model priced) that meets the constraints, with the reasons.
type Recommendation struct {
	Model          string   `json:"model"`
	Surface        string   `json:"surface"`
	WeeklyCostUSD  float64  `json:"weekly_cost_usd"`
	MonthlyCostUSD float64  `json:"monthly_cost_usd"`
	Reasons        []string `json:"reasons"`
	// Excluded lists the cheaper options left out, each with why.
	Excluded []string `json:"excluded,omitempty"`
}

// excluded returns why the constraints rule o out, or "".
func excluded(c Constraints, o Option) string {
	sagemaker := strings.HasPrefix(o.Surface, SageMaker+"/")
	provisioned := strings.HasPrefix(o.Surface, Provisioned+"/")
	switch {
	case c.DataInVPC && !sagemaker:
		return "data must stay in the VPC: Bedrock runs the model outside it (PrivateLink keeps the traffic private, not the processing)"
	case c.FineTuned && !sagemaker && !provisioned:
		return "a fine-tuned model runs on Bedrock only with provisioned throughput"
	case o.Surface == Batch && c.LatencyTargetHours < 24:
		return "batch results take about 24 hours, over the " + ftoa(c.LatencyTargetHours) + "-hour latency target"
	}
	return ""
}

// evalFirst is the recommendation's reason when no model has been evaluated.
const evalFirst = "no model has been evaluated yet: run `ticketsum eval --dataset FILE --models A,B` first; plan then recommends the cheapest configuration that met every bar"

// recommend picks the surface for the latest eval run's winner
// (Evidence.Winner), or for the first model of Config.Models when no run
// has one; with neither it recommends no model and says why.
func recommend(cfg Config, p *Plan) Recommendation {
	ev := cfg.Evidence
	ref := ""
	switch {
	case ev.Winner == "builtin":
		return Recommendation{Model: "builtin", Surface: "in-process", Reasons: []string{
			"the cheapest configuration that met every bar in eval run " + ev.EvalRunID + " (" + ev.WinnerConfig + "): the built-in summariser runs in the process, at no model cost"}}
	case ev.Winner != "":
		ref = ev.Winner
	case len(cfg.Models) > 0 && !cfg.ModelsByDefault && len(p.Options) > 0 && !strings.HasPrefix(p.Options[0].Surface, SageMaker+"/"):
		ref = p.Options[0].Model
	case ev.EvalRun:
		return Recommendation{Reasons: []string{"no configuration met every bar in eval run " + ev.EvalRunID +
			": improve the prompt or try other models with `ticketsum eval`, or name the models to price with --models"}}
	default:
		return Recommendation{Reasons: []string{evalFirst}}
	}
	var r Recommendation
	if ev.Winner != "" {
		r.Reasons = append(r.Reasons, "the cheapest configuration that met every bar in the latest eval run, "+ev.EvalRunID+": "+ev.WinnerConfig)
	} else if !ev.EvalRun {
		r.Reasons = append(r.Reasons, "priced for "+ref+" as named with --models; "+evalFirst)
	}
	for _, o := range sortedOptions(p.Options) {
		if o.Model != ref && !strings.HasPrefix(o.Surface, SageMaker+"/") {
			continue
		}
		if why := excluded(cfg.Constraints, o); why != "" {
			r.Excluded = append(r.Excluded, o.Model+" "+o.Surface+" ($"+ftoa(o.WeeklyCostUSD)+"/week): "+why)
			continue
		}
		r.Model, r.Surface, r.WeeklyCostUSD, r.MonthlyCostUSD = o.Model, o.Surface, o.WeeklyCostUSD, o.MonthlyCostUSD
		r.Reasons = append(r.Reasons[:len(r.Reasons):len(r.Reasons)], "cheapest option for "+orSelfHosted(ref)+" that meets the constraints: $"+ftoa(o.WeeklyCostUSD)+" a week")
		if o.Note != "" {
			r.Reasons = append(r.Reasons, o.Note)
		}
		break
	}
	if r.Surface == "" {
		r.Reasons = append(r.Reasons, "no priced option meets the constraints: add prices (provisioned throughput, SageMaker instances) to the catalogue override file")
		return r
	}
	for _, o := range sortedOptions(p.Options) {
		if o.Surface == OnDemand && o.Model != ref {
			r.Reasons = append(r.Reasons, "cheapest model on-demand: "+o.Model+" at $"+ftoa(o.WeeklyCostUSD)+" a week; pick the model by measured quality (`ticketsum eval`), not price alone")
			break
		}
	}
	if e, err := cfg.Catalogue.Lookup(ref); err == nil && ref != "" {
		if w := e.LifecycleWarning(cfg.Catalogue.Now()); w != "" {
			r.Reasons = append(r.Reasons, "warning: "+w)
		}
	}
	for _, q := range p.Quotas {
		if q.Model == r.Model && q.Status == QuotaIncrease {
			r.Reasons = append(r.Reasons, "quota: "+q.Note)
		}
	}
	for _, o := range p.Options {
		if o.Model == r.Model && strings.HasPrefix(o.Surface, Provisioned+"/") && o.Available && o.BreakEvenTicketsPerWeek > p.Workload.TicketsPerWeek && r.Surface != o.Surface {
			r.Reasons = append(r.Reasons, o.Surface+" pays off only above "+ftoa(o.BreakEvenTicketsPerWeek)+" tickets a week")
		}
	}
	return r
}

func orSelfHosted(ref string) string {
	if ref == "" {
		return "a self-hosted model"
	}
	return ref
}
