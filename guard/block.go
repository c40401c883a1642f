package guard

import (
	"sort"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// ConfigPrefix is where the guard's policy lives in ticketsum's config file;
// block messages name the key under it that changes the rule that blocked.
const ConfigPrefix = "governance.guard"

// blockRule is one policy rule that blocked a text: what the rule is and the
// configuration that changes it. It never holds a value that was found.
type blockRule struct {
	rule string // "the output policy blocks CREDIT_DEBIT_CARD_NUMBER"
	fix  string // "set governance.guard.output.CREDIT_DEBIT_CARD_NUMBER: ANONYMIZE to mask it instead"
}

// piiRule is the rule of an entity type set to BLOCK on source.
func piiRule(source Source, typ EntityType) blockRule {
	side := source.flag()
	return blockRule{
		rule: "the " + side + " policy blocks " + string(typ),
		fix:  "set " + ConfigPrefix + "." + side + "." + string(typ) + ": ANONYMIZE to mask it instead",
	}
}

// topicRule is the rule of a denied topic set to BLOCK on source.
func topicRule(source Source, name string) blockRule {
	return blockRule{
		rule: "denied topic " + name,
		fix:  "set " + ConfigPrefix + ".topics." + name + "." + source.flag() + ": NONE to only record it",
	}
}

// wordRule is the rule of a word filter set to BLOCK.
func wordRule(custom bool) blockRule {
	if custom {
		return blockRule{rule: "the custom word filter", fix: "set " + ConfigPrefix + ".custom_word_action: MASK, or remove the word from " + ConfigPrefix + ".custom_words"}
	}
	return blockRule{rule: "the profanity filter", fix: "set " + ConfigPrefix + ".profanity: MASK to mask the words instead"}
}

// attackRule is the rule of prompt-attack detection set to BLOCK.
func attackRule() blockRule {
	return blockRule{rule: "prompt-attack detection", fix: "set " + ConfigPrefix + ".prompt_attack: ANONYMIZE to neutralise the text instead"}
}

// remoteRule is the rule of the external guardrail.
func remoteRule() blockRule {
	return blockRule{rule: "the external guardrail (Bedrock ApplyGuardrail)", fix: "change that guardrail's policy, or unset aws.guardrail.id"}
}

// blockError returns the EBLOCKED error (failure class policy) for the rules
// that blocked a text of source: each rule once, with its fix, sorted.
func blockError(source Source, rules []blockRule) error {
	seen := map[string]bool{}
	var parts []string
	for _, r := range rules {
		p := r.rule + " (" + r.fix + ")"
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	sort.Strings(parts)
	return ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail blocked the %s: %s", source.flag(), strings.Join(parts, "; "))
}
