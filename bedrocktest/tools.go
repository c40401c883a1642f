package bedrocktest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// toolConfig is the part of a Converse toolConfig the fake reads.
type toolConfig struct {
	Tools []struct {
		ToolSpec *struct {
			Name string `json:"name"`
		} `json:"toolSpec"`
	} `json:"tools"`
	ToolChoice map[string]json.RawMessage `json:"toolChoice"`
}

// SupportsToolUse reports whether the fake accepts a toolConfig for a
// model, per Bedrock's supported-features table: Claude 3 and later, Nova,
// Mistral Large and Small, Llama 3.1 and later, Cohere Command R.
func SupportsToolUse(id string) bool {
	base := BaseModelID(id)
	switch Family(id) {
	case FamilyAnthropic:
		return !strings.HasPrefix(base, "anthropic.claude-v") && !strings.HasPrefix(base, "anthropic.claude-instant")
	case FamilyNova:
		return true
	case FamilyMistral:
		return strings.HasPrefix(base, "mistral.mistral-large") || strings.HasPrefix(base, "mistral.mistral-small")
	case FamilyLlama:
		return !strings.HasPrefix(base, "meta.llama3-8b") && !strings.HasPrefix(base, "meta.llama3-70b") && !strings.HasPrefix(base, "meta.llama2")
	case FamilyCohere:
		return strings.HasPrefix(base, "cohere.command-r")
	}
	return false
}

// ToolChoices returns the toolChoice kinds the fake accepts for a model
// besides "auto", per Bedrock's ToolChoice reference: "any" and "tool" for
// Claude 3 and later, "tool" for Nova (which refuses "any"), "any" for
// Mistral Large, none for every other model.
func ToolChoices(id string) []string {
	base := BaseModelID(id)
	switch {
	case !SupportsToolUse(id):
		return nil
	case Family(id) == FamilyAnthropic:
		return []string{"any", "tool"}
	case Family(id) == FamilyNova:
		return []string{"tool"}
	case strings.HasPrefix(base, "mistral.mistral-large"):
		return []string{"any"}
	}
	return nil
}

// checkTools refuses a toolConfig the model does not support, with
// Bedrock's ValidationException, and sets c.tool to the tool the model is
// forced to answer with.
func checkTools(c *call, tc *toolConfig) *apiError {
	if !SupportsToolUse(c.model) {
		return errValidation("This model doesn't support tool use.")
	}
	var names []string
	for _, t := range tc.Tools {
		if t.ToolSpec != nil {
			names = append(names, t.ToolSpec.Name)
		}
	}
	if len(names) == 0 {
		return errValidation("The toolConfig field must define at least one tool.")
	}
	for kind, raw := range tc.ToolChoice {
		if kind == "auto" {
			continue
		}
		allowed := false
		for _, k := range ToolChoices(c.model) {
			allowed = allowed || k == kind
		}
		if !allowed {
			return errValidation(fmt.Sprintf("This model doesn't support the toolConfig.toolChoice.%s field. Remove toolConfig.toolChoice.%s and try again.", kind, kind))
		}
		c.tool = names[0]
		if kind == "tool" {
			var spec struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &spec)
			c.tool = spec.Name
			if !contains(names, spec.Name) {
				return errValidation("The tool " + spec.Name + " named in toolConfig.toolChoice is not in toolConfig.tools.")
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// statusLineRE matches a "STATUS: value" line of an answer.
var statusLineRE = regexp.MustCompile(`(?im)^\s*status\s*:\s*([a-z_ ]+?)\s*$`)

// stripStatus removes every status line from an answer.
func stripStatus(text string) string {
	return strings.TrimSpace(statusLineRE.ReplaceAllString(text, ""))
}

// StructuredAnswer is the structured answer a model forced to follow
// ticketsum's summary schema gives where it would have answered text:
// {"summary", "status"}. The status is the text's STATUS line when it has
// one, else "resolved" when the text says so and "awaiting_customer"
// otherwise; noStatus leaves it out, as a model that ignores the schema's
// required field does. The OpenAI-compatible fake answers the same way.
func StructuredAnswer(text string, noStatus bool) string {
	in := map[string]any{"summary": stripStatus(text)}
	if !noStatus {
		status := "awaiting_customer"
		if m := statusLineRE.FindAllStringSubmatch(text, -1); len(m) > 0 {
			status = m[len(m)-1][1]
		} else if strings.Contains(strings.ToLower(text), "resolved") {
			status = "resolved"
		}
		in["status"] = status
	}
	b, _ := json.Marshal(in)
	return string(b)
}
