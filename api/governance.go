package api

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
)

// Governance is what the governance page shows, and the body of GET
// /api/governance. Money is in USD; the period is the current calendar
// month in UTC.
type Governance struct {
	Period      string    `json:"period"`
	GeneratedAt time.Time `json:"generated_at"`
	Totals      Totals    `json:"totals"`
	// Principals is every principal with a budget, and any other principal
	// found in this month's calls, ordered by name.
	Principals []PrincipalSpend `json:"principals"`
	// Models is this month's calls per model that answered, ordered by cost.
	Models []ModelSpend `json:"models"`
	// Guardrails counts this month's guardrail interventions by type
	// ("NAME", "EMAIL", "profanity", ...), most frequent first.
	Guardrails []Count `json:"guardrails"`
	// Denials counts this month's refused calls by reason, principal and
	// model, most frequent first.
	Denials []Denial `json:"denials"`
	// Days is calls and cost per UTC day, oldest first, Config.Days of them
	// ending today, days without calls included.
	Days []DaySpend `json:"days"`
	// AdminActions is the most recent admin actions, newest first.
	AdminActions []AdminAction `json:"admin_actions"`
	Trail        TrailStatus   `json:"trail"`
}

// Totals sums this month's calls.
type Totals struct {
	Calls   int     `json:"calls"`
	Denied  int     `json:"denied"`
	Errors  int     `json:"errors"`
	CostUSD float64 `json:"cost_usd"`
}

// PrincipalSpend is one principal's spend against its monthly budget.
type PrincipalSpend struct {
	Principal string `json:"principal"`
	// BudgetUSD is the monthly budget; null for a principal that made calls
	// but no longer exists.
	BudgetUSD   *float64 `json:"budget_usd"`
	SpentUSD    float64  `json:"spent_usd"`
	ReservedUSD float64  `json:"reserved_usd"`
	// UsedPercent is (spent + reserved) / budget, capped at 100; 100 when
	// there is spend and no budget.
	UsedPercent float64 `json:"used_percent"`
	Calls       int     `json:"calls"`
	Denied      int     `json:"denied"`
}

// ModelSpend is one model's calls and cost this month.
type ModelSpend struct {
	Model        string  `json:"model"`
	Calls        int     `json:"calls"`
	Succeeded    int     `json:"succeeded"`
	Denied       int     `json:"denied"`
	Errors       int     `json:"errors"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
	// SharePercent is the model's share of the month's cost.
	SharePercent float64 `json:"share_percent"`
}

// Count is a number of occurrences of a type.
type Count struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Denial counts refused calls of one reason, principal and model.
type Denial struct {
	// Reason is the error code: forbidden, quota_exceeded, unauthorized or
	// throttled.
	Reason    string `json:"reason"`
	Label     string `json:"label"`
	Principal string `json:"principal"`
	Model     string `json:"model"`
	Count     int    `json:"count"`
}

// DaySpend is one day's calls and cost.
type DaySpend struct {
	Day     string  `json:"day"`
	Calls   int     `json:"calls"`
	Denied  int     `json:"denied"`
	CostUSD float64 `json:"cost_usd"`
}

// AdminAction is one admin event of the audit trail.
type AdminAction struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
}

// TrailStatus is the result of verifying the audit trail.
type TrailStatus struct {
	OK            bool            `json:"ok"`
	Records       int             `json:"records"`
	Digests       int             `json:"digests"`
	SignedThrough int64           `json:"signed_through"`
	Unsigned      int             `json:"unsigned"`
	ProblemCount  int             `json:"problem_count"`
	Problems      []audit.Problem `json:"problems,omitempty"` // the first ten
	CheckedAt     time.Time       `json:"checked_at"`
	// Error is set when the trail could not be read to verify it.
	Error string `json:"error,omitempty"`
}

// denialLabels explains the denial reasons.
var denialLabels = map[string]string{
	string(ticketsum.EFORBIDDEN):    "model not approved or not in the allow-list",
	string(ticketsum.EQUOTA):        "monthly budget spent",
	string(ticketsum.EUNAUTHORIZED): "unknown principal",
	string(ticketsum.ETHROTTLED):    "rate limited",
}

// collect gathers the governance data as of now.
func (h *Handler) collect(ctx context.Context) (*Governance, error) {
	now := h.cfg.Clock.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	firstDay := today.AddDate(0, 0, -(h.cfg.Days - 1))
	g := &Governance{Period: month.Format("2006-01"), GeneratedAt: now}

	byPrincipal, err := h.cfg.Audit.Usage(ctx, audit.ByPrincipal, month)
	if err != nil {
		return nil, fmt.Errorf("usage by principal: %w", err)
	}
	byModel, err := h.cfg.Audit.Usage(ctx, audit.ByModel, month)
	if err != nil {
		return nil, fmt.Errorf("usage by model: %w", err)
	}
	byDay, err := h.cfg.Audit.Usage(ctx, audit.ByDay, firstDay)
	if err != nil {
		return nil, fmt.Errorf("usage by day: %w", err)
	}
	if err := h.addPrincipals(ctx, g, byPrincipal); err != nil {
		return nil, err
	}
	g.Models, g.Totals = modelSpend(byModel)
	g.Guardrails = guardrailCounts(byPrincipal)
	g.Days = daySpend(byDay, firstDay, h.cfg.Days)
	if err := h.addEvents(ctx, g, month); err != nil {
		return nil, err
	}
	g.Trail = h.verify(ctx)
	return g, nil
}

// addPrincipals joins the budgets with this month's calls per principal.
func (h *Handler) addPrincipals(ctx context.Context, g *Governance, usage []audit.UsageRow) error {
	budgets, err := h.cfg.Budgets.Budgets(ctx)
	if err != nil {
		return fmt.Errorf("read budgets: %w", err)
	}
	rows := map[string]*PrincipalSpend{}
	for _, b := range budgets {
		budget := b.MonthlyBudgetUSD
		rows[b.Principal] = &PrincipalSpend{Principal: b.Principal, BudgetUSD: &budget, SpentUSD: b.SpentUSD, ReservedUSD: b.ReservedUSD}
	}
	for _, u := range usage {
		p := rows[u.Key]
		if p == nil {
			p = &PrincipalSpend{Principal: u.Key, SpentUSD: u.CostUSD}
			rows[u.Key] = p
		}
		p.Calls, p.Denied = u.Calls, u.Denied
	}
	g.Principals = make([]PrincipalSpend, 0, len(rows))
	for _, p := range rows {
		used := p.SpentUSD + p.ReservedUSD
		switch {
		case p.BudgetUSD != nil && *p.BudgetUSD > 0:
			p.UsedPercent = round1(min(100, 100*used / *p.BudgetUSD))
		case used > 0:
			p.UsedPercent = 100
		}
		g.Principals = append(g.Principals, *p)
	}
	sort.Slice(g.Principals, func(i, j int) bool { return g.Principals[i].Principal < g.Principals[j].Principal })
	return nil
}

// modelSpend turns usage by model into rows ordered by cost, and totals.
func modelSpend(usage []audit.UsageRow) ([]ModelSpend, Totals) {
	var t Totals
	out := make([]ModelSpend, 0, len(usage))
	for _, u := range usage {
		t.Calls += u.Calls
		t.Denied += u.Denied
		t.Errors += u.Errors
		t.CostUSD += u.CostUSD
		out = append(out, ModelSpend{Model: u.Key, Calls: u.Calls, Succeeded: u.Succeeded, Denied: u.Denied, Errors: u.Errors,
			InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, CostUSD: u.CostUSD})
	}
	for i := range out {
		if t.CostUSD > 0 {
			out[i].SharePercent = round1(100 * out[i].CostUSD / t.CostUSD)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CostUSD != out[j].CostUSD {
			return out[i].CostUSD > out[j].CostUSD
		}
		return out[i].Model < out[j].Model
	})
	return out, t
}

// guardrailCounts sums the interventions of every principal by type.
func guardrailCounts(usage []audit.UsageRow) []Count {
	sum := map[string]int{}
	for _, u := range usage {
		for k, n := range u.Guardrails {
			sum[k] += n
		}
	}
	out := make([]Count, 0, len(sum))
	for k, n := range sum {
		out = append(out, Count{Type: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// daySpend returns n days from first, filled from usage by day.
func daySpend(usage []audit.UsageRow, first time.Time, n int) []DaySpend {
	byKey := map[string]audit.UsageRow{}
	for _, u := range usage {
		byKey[u.Key] = u
	}
	out := make([]DaySpend, n)
	for i := range out {
		day := first.AddDate(0, 0, i).Format(time.DateOnly)
		u := byKey[day]
		out[i] = DaySpend{Day: day, Calls: u.Calls, Denied: u.Denied, CostUSD: u.CostUSD}
	}
	return out
}

// addEvents reads the trail once for the recent admin actions and this
// month's denials by reason.
func (h *Handler) addEvents(ctx context.Context, g *Governance, month time.Time) error {
	events, err := h.cfg.Audit.Events(ctx, 0, 0)
	if err != nil {
		return fmt.Errorf("read audit trail: %w", err)
	}
	type key struct{ reason, principal, model string }
	denials := map[key]int{}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		switch {
		case e.Kind == audit.KindAdmin && len(g.AdminActions) < h.cfg.AdminActions:
			g.AdminActions = append(g.AdminActions, AdminAction{Time: e.Time.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target})
		case e.Kind == audit.KindInvocation && !e.Time.Before(month) && denialLabels[e.ErrorCode] != "":
			denials[key{e.ErrorCode, e.Actor, e.Target}]++
		}
	}
	if g.AdminActions == nil {
		g.AdminActions = []AdminAction{}
	}
	g.Denials = make([]Denial, 0, len(denials))
	for k, n := range denials {
		g.Denials = append(g.Denials, Denial{Reason: k.reason, Label: denialLabels[k.reason], Principal: k.principal, Model: k.model, Count: n})
	}
	sort.Slice(g.Denials, func(i, j int) bool {
		a, b := g.Denials[i], g.Denials[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Reason != b.Reason {
			return a.Reason < b.Reason
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Model < b.Model
	})
	return nil
}

// verify returns the trail's verification, cached for Config.VerifyEvery.
func (h *Handler) verify(ctx context.Context) TrailStatus {
	h.verifyMu.Lock()
	defer h.verifyMu.Unlock()
	now := h.cfg.Clock.Now().UTC()
	if h.verified != nil && h.cfg.VerifyEvery > 0 && now.Sub(h.verifyAt) < h.cfg.VerifyEvery {
		return trailStatus(h.verified, h.verifyAt)
	}
	rep, err := h.cfg.Audit.Verify(ctx)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "verify audit trail", "err", err)
		return TrailStatus{CheckedAt: now, Error: "the audit trail could not be read to verify it"}
	}
	h.verified, h.verifyAt = rep, now
	return trailStatus(rep, now)
}

func trailStatus(rep *audit.Report, at time.Time) TrailStatus {
	s := TrailStatus{OK: rep.OK(), Records: rep.Records, Digests: rep.Digests, SignedThrough: rep.SignedThrough,
		Unsigned: rep.Unsigned, ProblemCount: len(rep.Problems), CheckedAt: at}
	s.Problems = rep.Problems[:min(10, len(rep.Problems))]
	return s
}
