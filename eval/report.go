package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Report is the result of a run: metrics per configuration, the bars, and
// the recommendation: the cheapest configuration that made every summary
// and meets every bar.
type Report struct {
	Dataset        DatasetInfo `json:"dataset"`
	StartedAt      time.Time   `json:"started_at"`
	DurationMS     int64       `json:"duration_ms"`
	TicketsPerWeek int         `json:"tickets_per_week"`
	Judge          string      `json:"judge,omitempty"`
	Bars           []Bar       `json:"bars,omitempty"`
	// BarsDefault is true when Bars are DefaultBars (none were given).
	BarsDefault    bool          `json:"bars_default,omitempty"`
	Configurations []CellMetrics `json:"configurations"`
	// Cheapest names the recommended configuration: the one with the
	// lowest cost per ticket among those without errors that meet every
	// bar (ties go to the higher ROUGE-L); "" when none does.
	Cheapest string `json:"cheapest_passing,omitempty"`
	// Robustness describes the perturbations when the run measured
	// robustness.
	Robustness *RobustnessInfo `json:"robustness,omitempty"`
	// AllowErrors makes ExitCode ignore configurations with errors (they
	// are still never recommended).
	AllowErrors bool `json:"-"`
	// Items are the per-item results when Config.KeepItems is set.
	Items []Item `json:"items,omitempty"`
}

// DatasetInfo identifies the dataset of a run.
type DatasetInfo struct {
	Name    string   `json:"name"`
	Hash    string   `json:"hash"`
	Tickets int      `json:"tickets"`
	Skipped []string `json:"skipped,omitempty"`
}

func (r *Runner) buildReport(ds *Dataset, res *results, start time.Time) *Report {
	rep := &Report{
		Dataset:        DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tickets: len(ds.Tickets), Skipped: ds.Skipped},
		StartedAt:      start.UTC(),
		DurationMS:     r.cfg.Clock.Now().Sub(start).Milliseconds(),
		TicketsPerWeek: r.cfg.TicketsPerWeek,
		Bars:           r.cfg.Bars,
		AllowErrors:    r.cfg.AllowErrors,
	}
	if rep.Bars == nil && !r.cfg.NoBars {
		rep.Bars, rep.BarsDefault = DefaultBars(ds, r.cfg.Robustness != nil), true
	}
	if r.cfg.Judge != nil {
		rep.Judge = r.cfg.Judge.Model.Name()
	}
	var names []string
	if rc := r.cfg.Robustness; rc != nil {
		rep.Robustness = &RobustnessInfo{Seed: rc.Seed}
		for _, p := range rc.Perturbations {
			names = append(names, p.Name)
		}
		rep.Robustness.Perturbations = names
	}
	for i, c := range r.cfg.Candidates {
		m := aggregate(c, res.base[i], r.cfg.TicketsPerWeek)
		if r.cfg.Robustness != nil {
			m.Robustness = robustnessOf(c, res.base[i], res.perturbed[i], names, r.cfg.TicketsPerWeek)
			m.RobustStatusAgreement, m.RobustSimilarity = m.Robustness.StatusAgreement, m.Robustness.Similarity
		}
		rep.Configurations = append(rep.Configurations, m)
		if r.cfg.KeepItems {
			rep.Items = append(rep.Items, res.base[i]...)
		}
	}
	rep.CheckBars()
	return rep
}

// CheckBars (re)checks the report's bars against every configuration and
// names the cheapest one that made every summary and meets every
// applicable bar. A bar on a metric the run did not measure is not
// applicable (BarResult.NotApplicable) and decides nothing.
func (rep *Report) CheckBars() {
	rep.Cheapest = ""
	var best *CellMetrics
	for i := range rep.Configurations {
		m := &rep.Configurations[i]
		m.Bars, m.PassesBars, m.Verdict = nil, true, "pass"
		for _, b := range rep.Bars {
			res := b.Check(m)
			if m.Errors >= m.Tickets {
				res = BarResult{Bar: b, NotApplicable: "no summary was made"}
			}
			m.Bars = append(m.Bars, res)
			if res.NotApplicable == "" && !res.Met {
				m.PassesBars, m.Verdict = false, "fail"
			}
		}
		if m.failed() {
			m.PassesBars, m.Verdict = false, "errors"
		}
		if !m.PassesBars {
			continue
		}
		if best == nil || m.CostPerTicketUSD < best.CostPerTicketUSD ||
			m.CostPerTicketUSD == best.CostPerTicketUSD && deref(m.RougeL) > deref(best.RougeL) {
			best = m
		}
	}
	if best != nil {
		rep.Cheapest = best.Name
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// Unevaluated returns the configurations with failed items.
func (rep *Report) Unevaluated() []CellMetrics {
	var out []CellMetrics
	for _, m := range rep.Configurations {
		if m.failed() {
			out = append(out, m)
		}
	}
	return out
}

// failed reports whether some items of the configuration, perturbed ones
// included, could not be evaluated.
func (m *CellMetrics) failed() bool {
	return m.Errors > 0 || m.Tickets == 0 || m.Robustness != nil && m.Robustness.Errors > 0
}

// ExitCode is the process exit status for CI: 1 when a configuration could
// not be evaluated (some items failed) unless AllowErrors; otherwise 0 when
// some configuration meets every bar (every configuration, when
// requireAll), 1 when none does.
func (rep *Report) ExitCode(requireAll bool) int {
	if !rep.AllowErrors && len(rep.Unevaluated()) > 0 {
		return 1
	}
	if requireAll {
		for _, m := range rep.Configurations {
			if !m.PassesBars && !m.failed() {
				return 1
			}
		}
		return 0
	}
	if rep.Cheapest == "" {
		return 1
	}
	return 0
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write eval report: %w", err)
	}
	return nil
}

func fmtOpt(f *float64, format string) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf(format, *f)
}
