package cost

import (
	"time"
)

// Lifecycle states of a model on Bedrock (Entry.State).
const (
	StateActive         = "active"
	StateLegacy         = "legacy"          // still callable by existing users; an end-of-life date is set
	StateExtendedAccess = "extended_access" // legacy, at the provider's higher extended-access price
	StateEndOfLife      = "end_of_life"     // calls fail
)

// Lifecycle is a legacy model's Bedrock lifecycle: the dates (YYYY-MM-DD)
// it became legacy, enters public extended access and reaches end of life,
// and its extended-access prices.
type Lifecycle struct {
	Legacy         string  `yaml:"legacy,omitempty" json:"legacy,omitempty"`
	ExtendedAccess string  `yaml:"extended_access,omitempty" json:"extended_access,omitempty"`
	EOL            string  `yaml:"eol" json:"eol"`
	ExtendedInput  float64 `yaml:"extended_input,omitempty" json:"extended_input_usd_per_mtok,omitempty"`
	ExtendedOutput float64 `yaml:"extended_output,omitempty" json:"extended_output_usd_per_mtok,omitempty"`
	Source         string  `yaml:"source" json:"source"`
	Confidence     string  `yaml:"confidence,omitempty" json:"confidence,omitempty"`
}

const dateLayout = "2006-01-02"

func (l *Lifecycle) validate() error {
	for name, d := range map[string]string{"legacy": l.Legacy, "extended_access": l.ExtendedAccess} {
		if _, err := time.Parse(dateLayout, d); d != "" && err != nil {
			return errorf("lifecycle %s %q is not a YYYY-MM-DD date", name, d)
		}
	}
	switch _, err := time.Parse(dateLayout, l.EOL); {
	case err != nil:
		return errorf("lifecycle needs an eol date (YYYY-MM-DD), got %q", l.EOL)
	case l.ExtendedInput < 0 || l.ExtendedOutput < 0:
		return errorf("lifecycle has a negative extended-access price")
	case l.Source == "":
		return errorf("lifecycle needs a source")
	}
	return nil
}

// on reports whether the date d (YYYY-MM-DD) is set and not after now.
func on(d string, now time.Time) bool {
	t, err := time.Parse(dateLayout, d)
	return err == nil && !now.Before(t)
}

// State returns the model's lifecycle state at now: StateActive for a model
// without a Lifecycle.
func (e *Entry) State(now time.Time) string {
	l := e.Lifecycle
	switch {
	case l == nil:
		return StateActive
	case on(l.EOL, now):
		return StateEndOfLife
	case on(l.ExtendedAccess, now):
		return StateExtendedAccess
	}
	return StateLegacy
}

// LifecycleWarning says what a model's lifecycle means for a team about to
// choose it, or "" for an active model.
func (e *Entry) LifecycleWarning(now time.Time) string {
	l := e.Lifecycle
	switch e.State(now) {
	case StateEndOfLife:
		return e.Name + " reached end of life on Bedrock on " + l.EOL + ": calls fail; choose an active model"
	case StateExtendedAccess:
		return e.Name + " is legacy, in public extended access since " + l.ExtendedAccess + " at " + ftoa(l.ExtendedInput) + "/" +
			ftoa(l.ExtendedOutput) + " USD per million tokens, and reaches end of life on " + l.EOL + "; plan a move to an active model"
	case StateLegacy:
		w := e.Name + " is legacy and reaches end of life on Bedrock on " + l.EOL
		if l.ExtendedAccess != "" {
			w += "; from " + l.ExtendedAccess + " it costs " + ftoa(l.ExtendedInput) + "/" + ftoa(l.ExtendedOutput) + " USD per million tokens"
		}
		return w
	}
	return ""
}

// atDate returns e priced as at now: in public extended access, at its
// extended-access prices (cache prices scaled alike).
func (e Entry) atDate(now time.Time) Entry {
	l := e.Lifecycle
	if l == nil || !on(l.ExtendedAccess, now) || l.ExtendedInput <= 0 || e.Input <= 0 {
		return e
	}
	f := l.ExtendedInput / e.Input
	scale := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := *p * f
		return &v
	}
	e.Input, e.Output = l.ExtendedInput, l.ExtendedOutput
	e.CacheRead, e.CacheWrite = scale(e.CacheRead), scale(e.CacheWrite)
	e.Source = l.Source + " (extended-access price from " + l.ExtendedAccess + "; earlier: " + e.Source + ")"
	e.Effective = l.ExtendedAccess
	e.Confidence = l.Confidence
	return e
}
