package bedrocktest

import "strings"

// Model families the fake server speaks, chosen from the model ID.
const (
	FamilyAnthropic = "anthropic"
	FamilyNova      = "nova"
	FamilyLlama     = "llama"
	FamilyMistral   = "mistral"
	FamilyTitan     = "titan"
	FamilyCohere    = "cohere"
)

// profilePrefixes are the cross-region inference profile prefixes.
var profilePrefixes = []string{"us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// BaseModelID strips an ARN wrapper (foundation-model/, inference-profile/,
// provisioned-model/ ...) and a cross-region profile prefix (us., eu.,
// apac., global. ...) from id and returns the base model ID. An
// application-inference-profile ARN has no model ID in it: its last path
// segment is returned.
func BaseModelID(id string) string {
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndexByte(id, '/'); i >= 0 {
			id = id[i+1:]
		}
	}
	for _, p := range profilePrefixes {
		if strings.HasPrefix(id, p) {
			return id[len(p):]
		}
	}
	return id
}

// Family returns the model family of a model ID (base, profile or ARN), or
// "" when the fake does not know it.
func Family(id string) string {
	base := BaseModelID(id)
	switch {
	case strings.HasPrefix(base, "anthropic.claude"):
		return FamilyAnthropic
	case strings.HasPrefix(base, "amazon.nova"):
		return FamilyNova
	case strings.HasPrefix(base, "amazon.titan-text"), strings.HasPrefix(base, "amazon.titan-tg1"):
		return FamilyTitan
	case strings.HasPrefix(base, "meta.llama"):
		return FamilyLlama
	case strings.HasPrefix(base, "mistral."):
		return FamilyMistral
	case strings.HasPrefix(base, "cohere.command"):
		return FamilyCohere
	}
	return ""
}

// SupportsCaching reports whether the fake accepts cache points for a model:
// Claude 3.5 Haiku, Claude 3.7 Sonnet and every Claude 4 model, and Nova.
func SupportsCaching(id string) bool {
	base := BaseModelID(id)
	if strings.HasPrefix(base, "amazon.nova") {
		return true
	}
	if !strings.HasPrefix(base, "anthropic.claude") {
		return false
	}
	for _, s := range []string{"claude-3-5-haiku", "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4"} {
		if strings.HasPrefix(base, "anthropic."+s) {
			return true
		}
	}
	return false
}

// defaultContextWindow is the context window, in tokens, the fake enforces
// for a family when Config.ContextWindows does not name the model.
func defaultContextWindow(family string) int {
	switch family {
	case FamilyAnthropic:
		return 200_000
	case FamilyNova:
		return 300_000
	case FamilyLlama, FamilyCohere:
		return 128_000
	case FamilyMistral:
		return 32_000
	case FamilyTitan:
		return 8_000
	}
	return 8_000
}
