package bedrock

import "strings"

// Model families with an InvokeModel body.
const (
	FamilyAnthropic = "anthropic"
	FamilyNova      = "nova"
	FamilyLlama     = "llama"
	FamilyMistral   = "mistral"
	FamilyTitan     = "titan"
)

// profilePrefixes are the cross-region inference profile prefixes.
var profilePrefixes = []string{"us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// ModelRef is a model ID taken apart.
type ModelRef struct {
	// ID is the model ID as given: base ID, profile ID or ARN.
	ID string
	// Base is the base model ID, e.g. anthropic.claude-3-5-haiku-20241022-v1:0;
	// empty for application-inference-profile and other opaque ARNs.
	Base string
	// Profile is the cross-region prefix without the dot ("us", "global"),
	// or "" when the ID names no system inference profile.
	Profile string
	// ARN is true when ID is an ARN.
	ARN bool
	// Family is the model family (FamilyAnthropic ...), "" when unknown.
	Family string
}

// ParseModelID takes a model ID apart. It does not check that the model
// exists.
func ParseModelID(id string) ModelRef {
	ref := ModelRef{ID: id}
	rest := id
	if strings.HasPrefix(id, "arn:") {
		ref.ARN = true
		// arn:aws:bedrock:region:account:resource-type/resource-id
		parts := strings.SplitN(id, ":", 6)
		if len(parts) < 6 {
			return ref
		}
		kind, res, ok := strings.Cut(parts[5], "/")
		if !ok {
			return ref
		}
		switch kind {
		case "foundation-model", "inference-profile":
			rest = res
		default: // application-inference-profile, provisioned-model, custom-model ...: opaque
			return ref
		}
	}
	for _, p := range profilePrefixes {
		if strings.HasPrefix(rest, p) {
			ref.Profile = strings.TrimSuffix(p, ".")
			rest = rest[len(p):]
			break
		}
	}
	ref.Base = rest
	ref.Family = familyOf(rest)
	return ref
}

func familyOf(base string) string {
	switch {
	case strings.HasPrefix(base, "anthropic.claude"):
		return FamilyAnthropic
	case strings.HasPrefix(base, "amazon.nova"):
		return FamilyNova
	case strings.HasPrefix(base, "amazon.titan-text"), strings.HasPrefix(base, "amazon.titan-tg1"):
		return FamilyTitan
	case strings.HasPrefix(base, "meta.llama3"), strings.HasPrefix(base, "meta.llama4"):
		return FamilyLlama
	case strings.HasPrefix(base, "mistral."):
		return FamilyMistral
	}
	return ""
}

// SupportsCaching reports whether Bedrock prompt caching (cache points)
// works for the model: Claude 3.5 Haiku, Claude 3.7 Sonnet, every Claude 4
// model, and Nova.
func (r ModelRef) SupportsCaching() bool {
	if r.Family == FamilyNova {
		return true
	}
	if r.Family != FamilyAnthropic {
		return false
	}
	for _, s := range []string{"claude-3-5-haiku", "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4"} {
		if strings.HasPrefix(r.Base, "anthropic."+s) {
			return true
		}
	}
	return false
}

// mistralChat reports whether a Mistral model takes the chat-completion
// body (Mistral Large 2 and later) rather than a [INST] prompt.
func (r ModelRef) mistralChat() bool {
	for _, s := range []string{"mistral-large-2407", "mistral-large-2411", "pixtral"} {
		if strings.HasPrefix(r.Base, "mistral."+s) {
			return true
		}
	}
	return false
}

// ProfileSuggestion is a cross-region profile ID to suggest for a base
// model, e.g. us.<id>.
func (r ModelRef) ProfileSuggestion(region string) string {
	base := r.Base
	if base == "" {
		base = "<model-id>"
	}
	prefix := "us"
	switch {
	case strings.HasPrefix(region, "eu-"):
		prefix = "eu"
	case strings.HasPrefix(region, "ap-"):
		prefix = "apac"
	}
	return prefix + "." + base
}

// Forced tool choices of Converse, per Bedrock's ToolChoice reference and
// its supported-features table: a named tool ("tool") is accepted by Claude
// 3 and later and by Nova; "any" tool by Claude 3 and later and Mistral
// Large (Nova refuses it). Other families (Llama, Titan, the smaller Mistral
// models, Claude 2) accept no toolChoice and get a ValidationException.
const (
	ChoiceTool = "tool"
	ChoiceAny  = "any"
)

// ForcedToolChoice returns how Converse can force the model to answer
// through a tool, ChoiceTool or ChoiceAny, or "" when the model accepts no
// forced tool choice and structured output falls back to text.
func (r ModelRef) ForcedToolChoice() string {
	switch r.Family {
	case FamilyAnthropic:
		if strings.HasPrefix(r.Base, "anthropic.claude-v") || strings.HasPrefix(r.Base, "anthropic.claude-instant") {
			return "" // Claude 2 and Instant have no tool use
		}
		return ChoiceTool
	case FamilyNova:
		return ChoiceTool
	case FamilyMistral:
		if strings.HasPrefix(r.Base, "mistral.mistral-large") {
			return ChoiceAny
		}
	}
	return ""
}
