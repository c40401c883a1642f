package thread

import "strings"

// valedictions close a message before a signature.
var valedictions = map[string]bool{
	"best regards": true, "kind regards": true, "warm regards": true, "regards": true, "best": true,
	"cheers": true, "thanks": true, "thank you": true, "many thanks": true, "thanks again": true,
	"sincerely": true, "yours sincerely": true, "yours truly": true, "best wishes": true,
	"all the best": true, "thx": true, "respectfully": true, "with thanks": true, "warmly": true,
	"cordialement": true, "saludos": true, "mit freundlichen grüßen": true, "viele grüße": true,
	"atenciosamente": true, "un saludo": true, "bien à vous": true, "cordiali saluti": true,
}

// StripSignature removes an email signature: everything from a "-- "
// delimiter or a "Sent from my iPhone" line, and a closing such as "Best
// regards," followed only by a few short lines (name, title, phone).
func StripSignature(lines []string) []string {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "--" || t == "-- " || hasPrefixLower(t, "sent from my ") ||
			hasPrefixLower(t, "get outlook for ") || hasPrefixLower(t, "sent from outlook") {
			lines = lines[:i]
			break
		}
	}
	// Look for a closing among the last few non-blank lines.
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen < 6; i-- {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		if len(t) > 60 {
			return lines
		}
		seen++
		if isValediction(t, i < len(lines)-1) {
			return lines[:i]
		}
	}
	return lines
}

// isValediction reports whether t is a closing line such as "Best
// regards," ("Thanks!" is kept: it is content, not a closing). A closing
// without a comma counts only when lines follow it.
func isValediction(t string, followed bool) bool {
	if !followed && !strings.HasSuffix(t, ",") {
		return false // only "Best regards," closes without lines after it
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasSuffix(lower, ","):
		return valedictions[strings.TrimSpace(strings.TrimSuffix(lower, ","))]
	case strings.HasSuffix(lower, "!"), strings.HasSuffix(lower, "."):
		return false
	}
	return followed && valedictions[lower] && strings.Contains(lower, " ")
}
