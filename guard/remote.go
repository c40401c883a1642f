package guard

import "context"

// Remote is an external guardrail applied on top of the local checks, such
// as Amazon Bedrock's ApplyGuardrail. It receives the already-masked text.
//
// Implementations must tell a block from a mask: Bedrock answers
// GUARDRAIL_INTERVENED with "Guardrail masked." even when it only
// anonymised, so the Bedrock implementation reads
// assessments[].sensitiveInformationPolicy.piiEntities[].action and returns
// ANONYMIZED with the masked text of outputs[] unless some assessment says
// BLOCKED.
type Remote interface {
	// Apply checks text from source. It returns EUNAVAILABLE when the
	// guardrail cannot be reached.
	Apply(ctx context.Context, source Source, text string) (*RemoteResult, error)
}

// RemoteResult is a Remote guardrail's verdict.
type RemoteResult struct {
	// Action is NONE, ANONYMIZED or BLOCKED.
	Action Outcome
	// Text is the masked text when Action is ANONYMIZED.
	Text string
	// Findings say what the guardrail found; Kind is set to remote by the
	// guard. Offsets may be zero when the guardrail does not report them.
	Findings []Finding
}
