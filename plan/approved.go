package plan

import (
	"slices"
	"strings"
)

// ModelStatus is where one model stands between approval (the
// approved-model registry, without which nobody may call it) and evidence
// (the latest eval run, without which nobody knows whether it meets the
// quality bar).
type ModelStatus struct {
	Model     string `json:"model"`
	Approved  bool   `json:"approved"`
	Evaluated bool   `json:"evaluated"`
	// Winner is true for the latest eval run's cheapest model that met
	// every bar.
	Winner bool `json:"winner,omitempty"`
	// Next says what the model still needs, with the command that does it;
	// for an approved and evaluated model, what the run found.
	Next string `json:"next"`
}

// modelStatuses lists the approved models, then the evaluated ones that
// are not approved, each in name order.
func modelStatuses(cfg Config) []ModelStatus {
	ev := cfg.Evidence
	approved := slices.Sorted(slices.Values(cfg.Approved))
	approved = slices.Compact(approved)
	var out []ModelStatus
	run := "the latest eval run"
	if ev.EvalRunID != "" {
		run = "eval run " + ev.EvalRunID
	}
	for _, m := range approved {
		s := ModelStatus{Model: m, Approved: true, Evaluated: slices.Contains(ev.Evaluated, m), Winner: m == ev.Winner && m != ""}
		switch {
		case s.Winner:
			s.Next = "ready: the cheapest model meeting every bar in " + run
		case s.Evaluated && ev.Winner != "":
			s.Next = "evaluated in " + run + "; " + ev.Winner + " met every bar for less"
		case s.Evaluated:
			s.Next = "evaluated in " + run + "; no configuration met every bar"
		case ev.EvalRun:
			s.Next = "approved but not evaluated in " + run + ": run `ticketsum eval --models " + m + "`"
		default:
			s.Next = "approved but not evaluated (no eval run yet): run `ticketsum eval --models " + m + "`"
		}
		out = append(out, s)
	}
	evaluated := slices.Sorted(slices.Values(ev.Evaluated))
	for _, m := range slices.Compact(evaluated) {
		if slices.Contains(approved, m) || m == "" {
			continue
		}
		s := ModelStatus{Model: m, Evaluated: true, Winner: m == ev.Winner,
			Next: "evaluated in " + run + " but not approved: nobody may call it until an administrator runs `ticketsum models approve " + m + "`"}
		if s.Winner {
			s.Next = strings.Replace(s.Next, "evaluated in "+run, "the cheapest model meeting every bar in "+run+",", 1)
		}
		out = append(out, s)
	}
	return out
}

// notEvaluated returns the approved models the latest eval run did not
// try, for one `ticketsum eval --models` line.
func notEvaluated(ms []ModelStatus) []string {
	var out []string
	for _, m := range ms {
		if m.Approved && !m.Evaluated {
			out = append(out, m.Model)
		}
	}
	return out
}
