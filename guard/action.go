package guard

// Action is what a policy does with a finding.
type Action string

// The policy actions.
const (
	// ActionNone lets the finding through unchanged (it is still recorded).
	ActionNone Action = "NONE"
	// ActionAnonymize replaces personal data with a typed placeholder.
	ActionAnonymize Action = "ANONYMIZE"
	// ActionMask replaces a filtered word with asterisks; the request continues.
	ActionMask Action = "MASK"
	// ActionBlock stops the request with an EBLOCKED error (failure class
	// policy) that names the rule and the config key that changes it.
	ActionBlock Action = "BLOCK"
)

// Outcome is what happened to a text or to one finding in it.
type Outcome string

// The outcomes. A Result's Action is NONE, ANONYMIZED or BLOCKED; a Finding's
// Action can also be MASKED, NEUTRALIZED or DETECTED.
const (
	OutcomeNone        Outcome = "NONE"        // nothing found, or found and allowed
	OutcomeAnonymized  Outcome = "ANONYMIZED"  // replaced by a placeholder or mask; the request continues
	OutcomeBlocked     Outcome = "BLOCKED"     // the request is stopped
	OutcomeMasked      Outcome = "MASKED"      // a filtered word was replaced by asterisks
	OutcomeNeutralized Outcome = "NEUTRALIZED" // a prompt attack was quoted so that it cannot steer the model
	OutcomeDetected    Outcome = "DETECTED"    // recorded only (a denied topic or prompt attack with action NONE)
)

// Source says which side of a model call a text is on.
type Source string

// The sources, named as Bedrock's ApplyGuardrail names them.
const (
	SourceInput  Source = "INPUT"
	SourceOutput Source = "OUTPUT"
)

func (s Source) flag() string {
	if s == SourceOutput {
		return "output"
	}
	return "input"
}
