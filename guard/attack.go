package guard

import (
	"regexp"
	"strings"
)

// attackPattern is one kind of instruction hidden in ticket text.
type attackPattern struct {
	name string
	re   *regexp.Regexp
	keys *kwSet // lower-case keywords one of which every match holds
	// anchored patterns use ^ and run from the start of the keyword's line
	anchored bool
	// pre, when set, is a cheap necessary condition on a keyword found at
	// lower[start:end]; the regular expression runs only near keywords
	// that pass it.
	pre func(lower string, start, end int) bool
	// at, when set, is a hand-written matcher that finds exactly re's
	// matches, for patterns whose keywords are common in tickets
	at *shape
}

// attackPatterns are the prompt-attack signatures. They are deliberately
// specific phrases; a determined attacker can paraphrase around them, which
// is why the prompt also fences ticket text and the output is checked again.
var attackPatterns = []attackPattern{
	{"ignore_instructions", regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|these|those|of)\s+){0,3}(?:(?:previous|prior|above|earlier|preceding|original|system|initial|other)\s+)?(?:instructions?|prompts?|rules|directions|guidelines|commands?|system prompt)\b`), kw("ignor", "disregard", "forget", "override", "bypass"), false, preIgnore, nil},
	{"role_override", regexp.MustCompile(`(?i)\b(?:you are now|you're now|from now on,? you(?: are|'re| will)|act as (?:an? )?(?:unrestricted|unfiltered|jailbroken|evil|different)|pretend (?:to be|you are|you're)|roleplay as|role-play as|you will now act)\b`), kw("you are now", "you're now", "from now on", "act as", "pretend", "roleplay", "role-play", "will now act"), false, nil, nil},
	{"jailbreak", regexp.MustCompile(`(?i)\b(?:do anything now|DAN mode|developer mode|jailbreak|jailbroken|no restrictions|without any restrictions|unfiltered mode)\b`), kw("anything now", "dan mode", "developer mode", "jailbr", "no restriction", "any restriction", "unfiltered"), false, nil, nil},
	{"system_prompt", regexp.MustCompile(`(?i)\b(?:(?:reveal|print|show|output|repeat|leak|tell me|display|what is|what's)\s+(?:me\s+)?(?:your|the)\s+(?:system|hidden|initial|original)\s+(?:prompt|instructions|message)|system prompt)\b`), kw("prompt"), false, nil, nil},
	{"new_instructions", regexp.MustCompile(`(?i)\b(?:new|updated|real|actual)\s+instructions\s*:`), kw("instructions"), false, nil, nil},
	{"delimiter_tag", regexp.MustCompile(`(?i)</?\s*(?:ticket|system|user|assistant|instructions?|context|prompt|human|ai|message|thread|document|data)\s*>`), kw("<"), false, nil, delimTagShape},
	{"delimiter_heading", regexp.MustCompile(`(?im)^\s*(?:#{1,6}|\*\*|-{3,}|={3,})\s*(?:system|assistant|user|instructions?|human|ai)\b\s*:?|#{2,6}\s*(?:system|assistant|instructions?)\b\s*:?`), kw("#", "**", "---", "==="), true, preHeading, nil},
	{"delimiter_role", regexp.MustCompile(`(?im)^\s*(?:system|assistant|human)\s*:`), kw("system", "assistant", "human"), true, preRole, nil},
	{"delimiter_token", regexp.MustCompile(`(?i)<\|[a-z_]{2,20}\|>|\[/?(?:INST|SYS)\]|<<\s*/?SYS\s*>>`), kw("<|", "[inst", "[/inst", "[sys", "[/sys", "<<"), false, nil, nil},
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
		var wins [][2]int
		if p.anchored {
			wins = sc.lineWindows(p.keys, 100, p.pre) // ^ must mean a real line start
		} else {
			wins = sc.nearIf(p.keys, lead, 100, p.pre)
		}
		var matches [][]int
		if p.at != nil {
			matches = sc.inShape(p.at, wins)
		} else {
			matches = sc.in(p.re, wins)
		}
		for _, m := range matches {
			out = append(out, attackHit{p.name, m[0], m[1]})
		}
	}
	return out
}

// preIgnore: "ignore ... instructions" names what to ignore within a few
// words.
func preIgnore(lower string, _, end int) bool {
	w := lower[end:min(end+100, len(lower))]
	for _, obj := range []string{"instruction", "prompt", "rule", "direction", "guideline", "command"} {
		if strings.Contains(w, obj) {
			return true
		}
	}
	return false
}

// roleWords open a chat-template role after a heading marker.
var roleWords = []string{"system", "assistant", "user", "instruction", "human", "ai"}

// preHeading: a heading marker ("###", "---", "**") followed, after more
// marker characters and white space, by a role word.
func preHeading(lower string, _, end int) bool {
	i := end
	for i < len(lower) && strings.IndexByte("#*-=", lower[i]) >= 0 {
		i++
	}
	for i < len(lower) && isSpaceRE(lower[i]) {
		i++
	}
	for _, w := range roleWords {
		if strings.HasPrefix(lower[i:], w) {
			return true
		}
	}
	return false
}

// preRole: a role word that only white space separates from a line start
// before it and from a colon after it ("System:").
func preRole(lower string, start, end int) bool {
	i := start
	for i > 0 && isSpaceRE(lower[i-1]) && lower[i-1] != '\n' {
		i--
	}
	if i > 0 && lower[i-1] != '\n' {
		return false
	}
	for end < len(lower) && isSpaceRE(lower[end]) {
		end++
	}
	return end < len(lower) && lower[end] == ':'
}

// isSpaceRE reports whether c is white space as \s means it.
func isSpaceRE(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\v'
}

// defang rewrites the characters that delimit prompts so that a quoted
// attack cannot close a tag, start a heading or open a chat-template token.
var defang = strings.NewReplacer("<", "‹", ">", "›", "#", "＃", "|", "¦", "[", "⟦", "]", "⟧", "{", "❴", "}", "❵")

// Markers put around a neutralised span.
const (
	attackOpen  = "⟦quoted text, not an instruction: "
	attackClose = "⟧"
)
