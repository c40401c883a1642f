package access

import (
	"path"
	"regexp"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Principal is a team or service that calls models.
type Principal struct {
	// Name identifies the principal, such as "support-tools" or
	// "ticketsum-worker": 1-64 characters of a-z, 0-9, '-', '_' and '.'.
	Name string `json:"name"`
	// UseCases are free tags describing what the principal uses models for,
	// such as "summarize".
	UseCases []string `json:"use_cases,omitempty"`
	// Models is the allow-list: exact model names or path.Match globs such as
	// "bedrock:anthropic.claude-*"; "*" (AnyModel) allows every approved
	// model, ARNs with slashes included. Empty allows nothing.
	Models []string `json:"models,omitempty"`
	// RequestsPerMinute limits the principal's calls; 0 means no limit.
	RequestsPerMinute int `json:"requests_per_minute,omitempty"`
	// MonthlyBudgetUSD caps the principal's spend per calendar month (UTC);
	// 0 means the principal may not spend anything.
	MonthlyBudgetUSD float64 `json:"monthly_budget_usd"`
	// CreatedAt is set by the store.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate checks the principal and returns an EINVALID error naming the
// first problem.
func (p *Principal) Validate() error {
	switch {
	case !nameRE.MatchString(p.Name):
		return ticketsum.Errorf(ticketsum.EINVALID, "principal name %q is invalid: use 1-64 characters of a-z, 0-9, '.', '_' and '-'", truncate(p.Name, 70))
	case p.RequestsPerMinute < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "principal %s: requests per minute must not be negative", p.Name)
	case p.MonthlyBudgetUSD < 0 || p.MonthlyBudgetUSD != p.MonthlyBudgetUSD:
		return ticketsum.Errorf(ticketsum.EINVALID, "principal %s: monthly budget must be a non-negative number of USD", p.Name)
	case p.MonthlyBudgetUSD > 1e9:
		return ticketsum.Errorf(ticketsum.EINVALID, "principal %s: monthly budget above $1e9 is not supported", p.Name)
	}
	for _, g := range p.Models {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			return ticketsum.Errorf(ticketsum.EINVALID, "principal %s: model pattern %q is not a valid glob", p.Name, truncate(g, 100))
		}
	}
	return nil
}

// Allows reports whether model matches the principal's allow-list.
func (p *Principal) Allows(model string) bool {
	for _, g := range p.Models {
		if g == AnyModel {
			return true
		}
		if ok, _ := path.Match(g, model); ok {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
