package plan

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

// Surfaces a model can be deployed on.
const (
	OnDemand       = "on-demand"
	OnDemandCached = "on-demand+cache"
	Batch          = "batch"
	Provisioned    = "provisioned" // followed by "/" and the term
	SageMaker      = "sagemaker"   // followed by "/" and the instance type
)

// Commitment terms of provisioned throughput.
const (
	TermNone     = "no-commitment"
	TermOneMonth = "1-month"
	TermSixMonth = "6-month"
)

// Hours and weeks used to turn hourly and weekly prices into months.
const (
	hoursPerWeek  = 24 * 7
	weeksPerMonth = 52.0 / 12
)

// Quota is an account's configured on-demand quota for a model.
type Quota struct {
	RequestsPerMinute int `json:"requests_per_minute"`
	TokensPerMinute   int `json:"tokens_per_minute"`
}

// Constraints limit which surfaces a recommendation may use.
type Constraints struct {
	// DataInVPC requires that ticket text stays in the team's VPC: only a
	// SageMaker endpoint in the VPC qualifies.
	DataInVPC bool `json:"data_in_vpc"`
	// LatencyTargetHours is the longest acceptable time from a ticket
	// change to its summary. Batch inference (about 24 hours) qualifies only
	// when it is at least 24. Default 1.
	LatencyTargetHours float64 `json:"latency_target_hours"`
	// FineTuned requires a fine-tuned (custom) model: Bedrock serves those
	// on provisioned throughput only, or host it on SageMaker.
	FineTuned bool `json:"fine_tuned"`
}

// Evidence is what is known from evaluation, for the stage table.
type Evidence struct {
	// EvalRun is true when evaluation results exist.
	EvalRun bool `json:"eval_run"`
	// EvalMeetsBar is true when the prompt meets every quality bar.
	EvalMeetsBar bool `json:"eval_meets_bar"`
	// EvalSummary is a one-line account of the evaluation, e.g. "ROUGE-L
	// 0.31, 0 PII leaks, 100% format on 200 tickets".
	EvalSummary string `json:"eval_summary,omitempty"`
	// EvalRunID names the latest eval run.
	EvalRunID string `json:"eval_run_id,omitempty"`
	// Winner is the model of the cheapest configuration that met every bar
	// in the latest eval run ("" when none did, or no run exists): the
	// model the recommendation prices. Without it the recommendation says
	// to run eval first, unless Config.Models names models to price.
	Winner string `json:"winner,omitempty"`
	// WinnerConfig is the winning configuration (model/prompt version).
	WinnerConfig string `json:"winner_config,omitempty"`
	// Evaluated are the models of the latest eval run (not the built-in
	// one), listed beside the approved ones in Plan.Models.
	Evaluated []string `json:"evaluated,omitempty"`
}

// Config configures Make.
type Config struct {
	// Catalogue has the prices. Required.
	Catalogue *cost.Catalogue
	// Models are the models to price. Default: every per-token catalogue
	// model (not the "provider:*" entries).
	Models []string
	// ModelsByDefault says Models were picked for the reader (evaluated and
	// configured models), not named by them: without an eval winner the
	// recommendation then names no model and says to run eval first.
	ModelsByDefault bool
	// Quotas are the configured quotas by model name; "*" applies to models
	// without their own. Default: none (quota checks say "unknown").
	Quotas map[string]Quota
	// Constraints limit the recommendation. Default: none.
	Constraints Constraints
	// Evidence feeds the stage table. Default: no evaluation yet.
	Evidence Evidence
	// Approved is the approved-model registry: the models a principal may
	// be allowed to call. Plan.Models lists them beside Evidence.Evaluated.
	// Default none: nothing is approved (or there is no store yet).
	Approved []string
	// CacheMinTokens overrides the fewest static prompt tokens a cache
	// point caches. Default 0: each model's cache_min_tokens from the
	// catalogue (1,024 for Claude Sonnet models, 2,048 for Claude 3.5 Haiku,
	// 4,096 for Claude Haiku 4.5, about 1,000 for Nova).
	CacheMinTokens int
	// CacheWritesPerWeek is how many times a week the static prompt is
	// written to the cache: once per five-minute TTL with traffic, at most.
	// Default: the smaller of tickets a week and 2,016 (the five-minute
	// windows of a week).
	CacheWritesPerWeek float64
}

// Plan is the outcome of Make, ready for JSON.
type Plan struct {
	Workload Workload `json:"workload"`
	// Warnings name what a reader must know before acting on the figures:
	// legacy and end-of-life models, prices from another region than the
	// one billed, the guardrail charge included.
	Warnings       []string       `json:"warnings,omitempty"`
	Options        []Option       `json:"options"`
	Quotas         []QuotaCheck   `json:"quotas"`
	Recommendation Recommendation `json:"recommendation"`
	Stages         []Stage        `json:"stages"`
	Constraints    Constraints    `json:"constraints"`
	// Models are the approved and the evaluated models side by side, with
	// what each still needs before production may use it.
	Models []ModelStatus `json:"models,omitempty"`
}

// Option is one model on one surface.
type Option struct {
	Model   string `json:"model"`
	Surface string `json:"surface"`
	// WeeklyCostUSD and MonthlyCostUSD are the cost of the weekly workload.
	WeeklyCostUSD  float64 `json:"weekly_cost_usd"`
	MonthlyCostUSD float64 `json:"monthly_cost_usd"`
	// WeeklyInputTokens and WeeklyOutputTokens are the tokens a week.
	WeeklyInputTokens  float64 `json:"weekly_input_tokens,omitempty"`
	WeeklyOutputTokens float64 `json:"weekly_output_tokens,omitempty"`
	// BackfillCostUSD is the one-off cost of the backfill on this surface.
	BackfillCostUSD float64 `json:"backfill_cost_usd,omitempty"`
	// Units is the provisioned model units or endpoint instances.
	Units int `json:"units,omitempty"`
	// BreakEvenTicketsPerWeek is, for fixed-price surfaces, the weekly
	// volume above which this surface costs less than the model on-demand.
	BreakEvenTicketsPerWeek float64 `json:"break_even_tickets_per_week,omitempty"`
	// Available is false when the surface does not apply to the model or
	// the catalogue has no price for it; the costs are then zero.
	Available bool `json:"available"`
	// Verified is false when any price used is unverified.
	Verified bool `json:"prices_verified"`
	// Note explains the figures or why the surface does not apply.
	Note string `json:"note,omitempty"`
}

// Make prices the workload and recommends a surface. It returns EINVALID for
// a bad workload or configuration and ENOTFOUND for a model the catalogue
// does not have.
func Make(cfg Config, w Workload) (*Plan, error) {
	if cfg.Catalogue == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "plan: no catalogue")
	}
	if err := w.validate(); err != nil {
		return nil, err
	}
	if cfg.CacheMinTokens < 0 || cfg.CacheWritesPerWeek < 0 || cfg.Constraints.LatencyTargetHours < 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "plan: cache settings and latency target must not be negative")
	}
	if cfg.Constraints.LatencyTargetHours == 0 {
		cfg.Constraints.LatencyTargetHours = 1
	}
	if cfg.CacheWritesPerWeek == 0 {
		cfg.CacheWritesPerWeek = math.Min(w.TicketsPerWeek, 7*24*60/5)
	}
	entries, err := models(cfg)
	if err != nil {
		return nil, err
	}
	p := &Plan{Workload: w, Constraints: cfg.Constraints}
	now := cfg.Catalogue.Now()
	for _, e := range entries {
		p.Warnings = append(p.Warnings, entryWarnings(e, now)...)
		opts := modelOptions(cfg, w, e)
		if e.State(now) == cost.StateEndOfLife {
			for i := range opts {
				opts[i] = notAvailable(opts[i], opts[i].Surface, "the model reached end of life on Bedrock on "+e.Lifecycle.EOL)
			}
		}
		p.Options = append(p.Options, opts...)
		p.Quotas = append(p.Quotas, checkQuota(cfg, w, e))
	}
	if g := guardrailPerTicket(cfg, w); g > 0 {
		p.Warnings = append(p.Warnings, "Bedrock options include the configured guardrail's text units: $"+strconv.FormatFloat(g, 'f', 5, 64)+
			" a ticket, $"+ftoa(g*w.TicketsPerWeek)+" a week")
	}
	var ref *cost.Entry
	if len(entries) > 0 {
		ref = &entries[0]
	}
	p.Options = append(p.Options, sagemakerOptions(cfg, w, ref)...)
	p.Recommendation = recommend(cfg, p)
	p.Stages = stages(cfg, p)
	p.Models = modelStatuses(cfg)
	return p, nil
}

func models(cfg Config) ([]cost.Entry, error) {
	if len(cfg.Models) == 0 {
		var out []cost.Entry
		for _, e := range cfg.Catalogue.Models() {
			if !strings.HasSuffix(e.Name, ":*") && e.Family != "builtin" {
				looked, err := cfg.Catalogue.Lookup(e.Name) // priced for the billed region and today
				if err != nil {
					return nil, err
				}
				out = append(out, looked)
			}
		}
		return out, nil
	}
	out := make([]cost.Entry, 0, len(cfg.Models))
	for _, name := range cfg.Models {
		e, err := cfg.Catalogue.Lookup(name)
		if err != nil {
			return nil, err
		}
		e.Name = name
		out = append(out, e)
	}
	return out, nil
}

// perTicket returns the on-demand token cost of one ticket on e.
func perTicket(w Workload, e cost.Entry) float64 {
	return (w.InputTokens*e.Input + w.OutputTokens*e.Output) / 1e6
}

// guardrailPerTicket is what the catalogue's configured Bedrock guardrail
// (cost.Config.Guardrail) charges a ticket: the ticket's text (input less
// the static prompt) and the summary, in text units per policy.
func guardrailPerTicket(cfg Config, w Workload) float64 {
	in := (w.InputTokens - w.StaticPromptTokens) * cost.CharsPerToken
	return cfg.Catalogue.GuardrailCost(int(math.Ceil(in)), int(math.Ceil(w.OutputTokens*cost.CharsPerToken)))
}

// entryWarnings are the lifecycle and region warnings of a priced model.
func entryWarnings(e cost.Entry, now time.Time) []string {
	var ws []string
	for _, w := range []string{e.LifecycleWarning(now), e.RegionNote()} {
		if w != "" {
			ws = append(ws, w)
		}
	}
	return ws
}

func modelOptions(cfg Config, w Workload, e cost.Entry) []Option {
	in, out := w.TicketsPerWeek*w.InputTokens, w.TicketsPerWeek*w.OutputTokens
	guard := 0.0
	if strings.HasPrefix(e.Name, "bedrock:") {
		guard = guardrailPerTicket(cfg, w)
	}
	opts := tokenOptions(cfg, w, e, in, out)
	for i := range opts {
		if opts[i].Available && guard > 0 {
			weekly := opts[i].WeeklyCostUSD + guard*w.TicketsPerWeek
			opts[i].WeeklyCostUSD, opts[i].MonthlyCostUSD = weekly, weekly*weeksPerMonth
			if opts[i].BackfillCostUSD > 0 {
				opts[i].BackfillCostUSD += guard * w.BackfillTickets
			}
		}
	}
	return opts
}

// tokenOptions prices the model's surfaces for its tokens alone.
func tokenOptions(cfg Config, w Workload, e cost.Entry, in, out float64) []Option {
	onDemand := w.TicketsPerWeek * perTicket(w, e)
	base := Option{Model: e.Name, WeeklyInputTokens: in, WeeklyOutputTokens: out, Verified: e.Verified}
	opts := []Option{withCost(base, OnDemand, onDemand, "")}
	opts[0].BackfillCostUSD = w.BackfillTickets * perTicket(w, e)
	opts = append(opts, cachedOption(cfg, w, e, base))

	if e.BatchDiscount > 0 {
		b := withCost(base, Batch, onDemand*(1-e.BatchDiscount),
			ftoa(e.BatchDiscount*100)+"% off on-demand; results in about 24 hours; for backfills")
		b.BackfillCostUSD = w.BackfillTickets * perTicket(w, e) * (1 - e.BatchDiscount)
		opts = append(opts, b)
	} else {
		opts = append(opts, notAvailable(base, Batch, "no batch price in the catalogue"))
	}
	return append(opts, provisionedOptions(w, e, base, perTicket(w, e))...)
}

func cachedOption(cfg Config, w Workload, e cost.Entry, base Option) Option {
	minTokens := cfg.CacheMinTokens
	if minTokens == 0 {
		minTokens = e.CacheMinTokens
	}
	switch {
	case !e.PromptCaching:
		return notAvailable(base, OnDemandCached, "the model does not support prompt caching")
	case w.StaticPromptTokens < float64(minTokens):
		return notAvailable(base, OnDemandCached, "the static prompt ("+ftoa(w.StaticPromptTokens)+" tokens) is under the model's "+itoa(minTokens)+"-token cache minimum")
	}
	s := w.StaticPromptTokens
	writes := math.Min(cfg.CacheWritesPerWeek, w.TicketsPerWeek)
	reads := w.TicketsPerWeek - writes
	usd := (w.TicketsPerWeek*(w.InputTokens-s)*e.Input +
		writes*s*e.CacheWritePrice() + reads*s*e.CacheReadPrice() +
		w.TicketsPerWeek*w.OutputTokens*e.Output) / 1e6
	return withCost(base, OnDemandCached, usd, ftoa(s)+" static tokens cached; "+ftoa(writes)+" cache writes a week")
}

func provisionedOptions(w Workload, e cost.Entry, base Option, ticketUSD float64) []Option {
	p := e.Provisioned
	if p == nil {
		return []Option{notAvailable(base, Provisioned, "no provisioned-throughput price in the catalogue")}
	}
	units, note := 1, "1 model unit (the minimum); throughput per unit not in the catalogue"
	if p.TokensPerMinPerUnit > 0 {
		need := w.PeakHourTickets / 60 * (w.InputTokens + w.OutputTokens*e.QuotaWeight())
		units = max(1, int(math.Ceil(need/float64(p.TokensPerMinPerUnit))))
		note = itoa(units) + " model units for " + ftoa(math.Ceil(need)) + " tokens a minute at the peak"
	}
	var out []Option
	for _, t := range []struct {
		term  string
		price float64
	}{{TermNone, p.NoCommitment}, {TermOneMonth, p.OneMonth}, {TermSixMonth, p.SixMonth}} {
		if t.price <= 0 {
			continue
		}
		weekly := t.price * hoursPerWeek * float64(units)
		o := withCost(base, Provisioned+"/"+t.term, weekly, note)
		o.Units = units
		o.BreakEvenTicketsPerWeek = breakEven(weekly, ticketUSD)
		out = append(out, o)
	}
	return out
}

func sagemakerOptions(cfg Config, w Workload, ref *cost.Entry) []Option {
	var out []Option
	peakOutPerSec := w.PeakHourTickets * w.OutputTokens / 3600
	for _, in := range cfg.Catalogue.Instances() {
		n := max(1, int(math.Ceil(peakOutPerSec/in.OutputTokensPerSecond)))
		weekly := in.USDPerHour * hoursPerWeek * float64(n)
		o := withCost(Option{Model: "sagemaker:self-hosted", Verified: false}, SageMaker+"/"+in.Type, weekly,
			itoa(n)+" always-on instance(s) for "+ftoa(math.Ceil(peakOutPerSec))+" output tokens/s at the peak; an open model you host")
		o.Units = n
		if ref != nil {
			o.BreakEvenTicketsPerWeek = breakEven(weekly, perTicket(w, *ref))
			o.Note += "; break-even against " + ref.Name + " on-demand"
		}
		out = append(out, o)
	}
	return out
}

// breakEven is the weekly volume at which a fixed weekly price equals
// on-demand at ticketUSD a ticket; 0 when on-demand costs nothing.
func breakEven(weekly, ticketUSD float64) float64 {
	if ticketUSD <= 0 {
		return 0
	}
	return weekly / ticketUSD
}

func withCost(o Option, surface string, weekly float64, note string) Option {
	o.Surface, o.WeeklyCostUSD, o.MonthlyCostUSD, o.Note, o.Available = surface, weekly, weekly*weeksPerMonth, note, true
	return o
}

func notAvailable(o Option, surface, why string) Option {
	o.Surface, o.Note, o.Available = surface, "n/a: "+why, false
	o.WeeklyCostUSD, o.MonthlyCostUSD, o.BackfillCostUSD = 0, 0, 0
	return o
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// sortedOptions returns the available options, cheapest first.
func sortedOptions(opts []Option) []Option {
	var out []Option
	for _, o := range opts {
		if o.Available {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].WeeklyCostUSD < out[j].WeeklyCostUSD })
	return out
}
