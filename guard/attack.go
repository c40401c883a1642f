package guard

import (
	"regexp"
	"strings"
)

// attackPattern is one kind of instruction hidden in ticket text.
type attackPattern struct {
	name string
	re   *regexp.Regexp
	keys []string // lower-case keywords one of which every match holds
	// anchored patterns use ^ and run on the whole text once a keyword occurs
	anchored bool
}

// attackPatterns are the prompt-attack signatures. They are deliberately
// specific phrases; a determined attacker can paraphrase around them, which
// is why the prompt also fences ticket text and the output is checked again.
var attackPatterns = []attackPattern{
	{"ignore_instructions", regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|these|those|of)\s+){0,3}(?:(?:previous|prior|above|earlier|preceding|original|system|initial|other)\s+)?(?:instructions?|prompts?|rules|directions|guidelines|commands?|system prompt)\b`), []string{"ignor", "disregard", "forget", "override", "bypass"}, false},
	{"role_override", regexp.MustCompile(`(?i)\b(?:you are now|you're now|from now on,? you(?: are|'re| will)|act as (?:an? )?(?:unrestricted|unfiltered|jailbroken|evil|different)|pretend (?:to be|you are|you're)|roleplay as|role-play as|you will now act)\b`), []string{"you are now", "you're now", "from now on", "act as", "pretend", "roleplay", "role-play", "will now act"}, false},
	{"jailbreak", regexp.MustCompile(`(?i)\b(?:do anything now|DAN mode|developer mode|jailbreak|jailbroken|no restrictions|without any restrictions|unfiltered mode)\b`), []string{"anything now", "dan mode", "developer mode", "jailbr", "no restriction", "any restriction", "unfiltered"}, false},
	{"system_prompt", regexp.MustCompile(`(?i)\b(?:(?:reveal|print|show|output|repeat|leak|tell me|display|what is|what's)\s+(?:me\s+)?(?:your|the)\s+(?:system|hidden|initial|original)\s+(?:prompt|instructions|message)|system prompt)\b`), []string{"prompt"}, false},
	{"new_instructions", regexp.MustCompile(`(?i)\b(?:new|updated|real|actual)\s+instructions\s*:`), []string{"instructions"}, false},
	{"delimiter_tag", regexp.MustCompile(`(?i)</?\s*(?:ticket|system|user|assistant|instructions?|context|prompt|human|ai|message|thread|document|data)\s*>`), []string{"<"}, false},
	{"delimiter_heading", regexp.MustCompile(`(?im)^\s*(?:#{1,6}|\*\*|-{3,}|={3,})\s*(?:system|assistant|user|instructions?|human|ai)\b\s*:?|#{2,6}\s*(?:system|assistant|instructions?)\b\s*:?`), []string{"#", "**", "---", "==="}, true},
	{"delimiter_role", regexp.MustCompile(`(?im)^\s*(?:system|assistant|human)\s*:`), []string{"system", "assistant", "human"}, true},
	{"delimiter_token", regexp.MustCompile(`(?i)<\|[a-z_]{2,20}\|>|\[/?(?:INST|SYS)\]|<<\s*/?SYS\s*>>`), []string{"<|", "[inst", "[/inst", "[sys", "[/sys", "<<"}, false},
}

type attackHit struct {
	name       string
	start, end int
}

func detectAttacks(sc *scan) []attackHit {
	var out []attackHit
	for _, p := range attackPatterns {
		lead := 16 // most patterns begin with their keyword
		if p.name == "system_prompt" || p.name == "new_instructions" {
			lead = windowBefore
		}
		matches := sc.whenNear(p.re, lead, 100, p.keys...)
		if p.anchored && len(matches) > 0 {
			matches = sc.all(p.re) // ^ must mean a real line start
		}
		for _, m := range matches {
			out = append(out, attackHit{p.name, m[0], m[1]})
		}
	}
	return out
}

// defang rewrites the characters that delimit prompts so that a quoted
// attack cannot close a tag, start a heading or open a chat-template token.
var defang = strings.NewReplacer("<", "‹", ">", "›", "#", "＃", "|", "¦", "[", "⟦", "]", "⟧", "{", "❴", "}", "❵")

// Markers put around a neutralised span.
const (
	attackOpen  = "⟦quoted text, not an instruction: "
	attackClose = "⟧"
)
