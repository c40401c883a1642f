package audit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Usage groupings.
const (
	ByPrincipal   = "principal"
	ByModel       = "model"
	ByProductLine = "product-line"
	ByDay         = "day"
)

// UsageRow is the usage of one group: calls, tokens, cost, denials and
// guardrail interventions by type.
type UsageRow struct {
	Key          string         `json:"key"`
	Calls        int            `json:"calls"`
	Succeeded    int            `json:"succeeded"`
	Denied       int            `json:"denied"`
	Errors       int            `json:"errors"`
	InputTokens  int64          `json:"input_tokens"`
	OutputTokens int64          `json:"output_tokens"`
	CacheTokens  int64          `json:"cache_tokens"`
	CostUSD      float64        `json:"cost_usd"`
	Guardrails   map[string]int `json:"guardrails,omitempty"`
}

// Usage aggregates the model calls in the trail since the given time,
// grouped by principal, model (the one that answered), product line or UTC
// day, ordered by key. It
// returns EINVALID for an unknown grouping.
func (t *Trail) Usage(ctx context.Context, by string, since time.Time) ([]UsageRow, error) {
	key, err := usageKey(by)
	if err != nil {
		return nil, err
	}
	rows, err := t.cfg.DB.QueryContext(ctx, t.cfg.Dialect.Rebind(`SELECT `+eventCols+` FROM audit_records WHERE kind = ? AND at >= ? ORDER BY seq`),
		KindInvocation, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	defer rows.Close()
	groups := map[string]*UsageRow{}
	micros := map[string]int64{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("read usage: %w", err)
		}
		k := key(e)
		g := groups[k]
		if g == nil {
			g = &UsageRow{Key: k}
			groups[k] = g
		}
		g.Calls++
		switch e.Outcome {
		case "success":
			g.Succeeded++
		case "denied":
			g.Denied++
		default:
			g.Errors++
		}
		g.InputTokens += e.InputTokens
		g.OutputTokens += e.OutputTokens
		g.CacheTokens += e.CacheReadTokens + e.CacheWriteTokens
		micros[k] += e.CostMicros
		for _, f := range e.Flags {
			if g.Guardrails == nil {
				g.Guardrails = map[string]int{}
			}
			g.Guardrails[flagType(f)]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	out := make([]UsageRow, 0, len(groups))
	for k, g := range groups {
		g.CostUSD = float64(micros[k]) / 1e6
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func usageKey(by string) (func(*Event) string, error) {
	switch by {
	case ByPrincipal:
		return func(e *Event) string { return e.Actor }, nil
	case ByModel:
		return func(e *Event) string { return e.Target }, nil
	case ByProductLine:
		return func(e *Event) string { return e.ProductLine }, nil
	case ByDay:
		return func(e *Event) string { return e.Time.UTC().Format(time.DateOnly) }, nil
	}
	return nil, ticketsum.Errorf(ticketsum.EINVALID, "unknown usage grouping %q (want principal, model, product-line or day)", by)
}
