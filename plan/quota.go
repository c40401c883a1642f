package plan

import (
	"github.com/ticketsum/ticketsum/cost"
)

// Quota check outcomes.
const (
	QuotaOK       = "ok"
	QuotaIncrease = "increase needed"
	QuotaUnknown  = "unknown"
)

// QuotaCheck compares what the peak hour needs with a model's quota.
type QuotaCheck struct {
	Model string `json:"model"`
	// PeakRequestsPerMinute and PeakTokensPerMinute are the peak hour's
	// tickets spread evenly over its minutes; tokens are input plus output
	// weighted as the quota counts it (cache reads are not counted).
	PeakRequestsPerMinute float64 `json:"peak_requests_per_minute"`
	PeakTokensPerMinute   float64 `json:"peak_tokens_per_minute"`
	// Configured is the quota from the configuration, nil when none.
	Configured *Quota `json:"configured,omitempty"`
	// Status is QuotaOK, QuotaIncrease or QuotaUnknown.
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

func checkQuota(cfg Config, w Workload, e cost.Entry) QuotaCheck {
	perMin := w.PeakHourTickets / 60
	c := QuotaCheck{
		Model:                 e.Name,
		PeakRequestsPerMinute: perMin,
		PeakTokensPerMinute:   perMin * (w.InputTokens + w.OutputTokens*e.QuotaWeight()),
	}
	q, ok := cfg.Quotas[e.Name]
	if !ok {
		q, ok = cfg.Quotas["*"]
	}
	if !ok {
		c.Status, c.Note = QuotaUnknown, "no quota configured: look up the account's on-demand RPM and TPM quotas in Service Quotas"
		return c
	}
	c.Configured = &q
	var short []string
	if q.RequestsPerMinute > 0 && c.PeakRequestsPerMinute > float64(q.RequestsPerMinute) {
		short = append(short, "requests per minute")
	}
	if q.TokensPerMinute > 0 && c.PeakTokensPerMinute > float64(q.TokensPerMinute) {
		short = append(short, "tokens per minute")
	}
	if len(short) == 0 {
		c.Status = QuotaOK
		return c
	}
	c.Status = QuotaIncrease
	c.Note = "the peak hour needs more " + join(short) + " than the quota: request an increase (Service Quotas, cross-Region quota) or let the queue spread the peak"
	return c
}

func join(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return s[0] + " and " + s[1]
}
