package bedrocktest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// guardSpec is the guardrail a model call asks for.
type guardSpec struct {
	id, version string
	trace       bool
}

// finding is one thing a guardrail found in a text.
type finding struct {
	policy string // sensitiveInformationPolicy or wordPolicy
	typ    string // EMAIL, PHONE, NAME ... or "" for custom words
	match  string
	action string // ANONYMIZED or BLOCKED
}

// guardOutcome is a guardrail's assessment of one text.
type guardOutcome struct {
	findings []finding
	masked   string
	blocked  bool
	units    int // text units assessed: a unit per 1,000 characters, started
}

// piiPatterns are the PII types the fake guardrail finds, checked in order.
var piiPatterns = []struct {
	typ string
	re  *regexp.Regexp
}{
	{"EMAIL", regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)},
	{"CREDIT_DEBIT_CARD_NUMBER", regexp.MustCompile(`\b(?:\d{4}[ -]?){3}\d{4}\b`)},
	{"US_SOCIAL_SECURITY_NUMBER", regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)},
	{"PHONE", regexp.MustCompile(`(?:\+\d{1,3}[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b`)},
}

func guardFromHeaders(h http.Header) (*guardSpec, error) {
	id, version := h.Get("X-Amzn-Bedrock-GuardrailIdentifier"), h.Get("X-Amzn-Bedrock-GuardrailVersion")
	if id == "" && version == "" {
		return nil, nil
	}
	if id == "" || version == "" {
		return nil, errors.New("a guardrail identifier needs a guardrail version")
	}
	t := strings.ToUpper(h.Get("X-Amzn-Bedrock-Trace"))
	return &guardSpec{id: id, version: version, trace: t == "ENABLED" || t == "ENABLED_FULL"}, nil
}

// assess runs the fake guardrail over text: denied words block it, PII is
// anonymised as {TYPE}.
func (s *Server) assess(text string) *guardOutcome {
	o := &guardOutcome{masked: text, units: TextUnits(text)}
	lower := strings.ToLower(text)
	for _, w := range s.cfg.DeniedWords {
		if w != "" && containsWord(lower, strings.ToLower(w)) {
			o.findings = append(o.findings, finding{policy: "wordPolicy", match: w, action: "BLOCKED"})
			o.blocked = true
		}
	}
	for _, p := range piiPatterns {
		o.masked = p.re.ReplaceAllStringFunc(o.masked, func(m string) string {
			o.findings = append(o.findings, finding{policy: "sensitiveInformationPolicy", typ: p.typ, match: m, action: "ANONYMIZED"})
			return "{" + p.typ + "}"
		})
	}
	for _, n := range s.cfg.PIINames {
		if n != "" && strings.Contains(o.masked, n) {
			o.findings = append(o.findings, finding{policy: "sensitiveInformationPolicy", typ: "NAME", match: n, action: "ANONYMIZED"})
			o.masked = strings.ReplaceAll(o.masked, n, "{NAME}")
		}
	}
	return o
}

func containsWord(text, w string) bool {
	for i := strings.Index(text, w); i >= 0; {
		before := i == 0 || !isWordByte(text[i-1])
		end := i + len(w)
		after := end == len(text) || !isWordByte(text[end])
		if before && after {
			return true
		}
		j := strings.Index(text[i+1:], w)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// assessment is the GuardrailAssessment JSON of an outcome.
func (o *guardOutcome) assessment() map[string]any {
	a := map[string]any{}
	var pii, words []any
	for _, f := range o.findings {
		switch f.policy {
		case "wordPolicy":
			words = append(words, map[string]any{"match": f.match, "action": f.action, "detected": true})
		default:
			pii = append(pii, map[string]any{"match": f.match, "type": f.typ, "action": f.action, "detected": true})
		}
	}
	if len(pii) > 0 {
		a["sensitiveInformationPolicy"] = map[string]any{"piiEntities": pii}
	}
	if len(words) > 0 {
		a["wordPolicy"] = map[string]any{"customWords": words}
	}
	a["invocationMetrics"] = map[string]any{
		"guardrailProcessingLatency": 1,
		"usage": map[string]any{"topicPolicyUnits": 0, "contentPolicyUnits": 0, "wordPolicyUnits": o.units,
			"sensitiveInformationPolicyUnits": o.units, "sensitiveInformationPolicyFreeUnits": 0, "contextualGroundingPolicyUnits": 0},
	}
	return a
}

// TextUnits is how many Bedrock Guardrail text units a text is charged as
// per policy: one per 1,000 characters, started. The fake's guardrail has
// a sensitive-information and a word policy, and reports both in every
// assessment's invocationMetrics.usage.
func TextUnits(text string) int {
	return (utf8.RuneCountInString(text) + 999) / 1000
}

// serveApplyGuardrail answers ApplyGuardrail: one output per text block,
// masked (ANONYMIZED) or replaced by the blocked message (BLOCKED).
func (s *Server) serveApplyGuardrail(w http.ResponseWriter, r *http.Request, id, version string) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.record(Request{Op: OpApplyGuardrail, Model: id, EscapedPath: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body})
	s.stats.Calls[id]++
	s.stats.Ops[OpApplyGuardrail]++
	f := s.pickFault(OpApplyGuardrail, id, id, s.cfg.Clock.Now())
	s.countFault(f.Kind)
	s.mu.Unlock()
	fault := f.Kind
	switch {
	case fault.answers():
	case fault == FaultTimeout:
		s.hang(r)
		return
	default:
		writeError(w, "bedrock", faultError(f, "bedrock", id))
		return
	}
	if len(s.cfg.Guardrails) > 0 && !slices.Contains(s.cfg.Guardrails, id) {
		writeError(w, "bedrock", newError(404, "ResourceNotFoundException", "The guardrail identifier or version provided in the request does not exist."))
		return
	}
	var req struct {
		Source  string `json:"source"`
		Content []struct {
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"content"`
	}
	if err := json.Unmarshal(body, &req); err != nil || (req.Source != "INPUT" && req.Source != "OUTPUT") || len(req.Content) == 0 {
		writeError(w, "bedrock", errValidation("1 validation error detected: source must be INPUT or OUTPUT and content must not be empty"))
		return
	}
	var outs []*guardOutcome
	blocked, found := false, false
	for _, c := range req.Content {
		if c.Text == nil {
			continue
		}
		o := s.assess(c.Text.Text)
		outs = append(outs, o)
		blocked = blocked || o.blocked
		found = found || len(o.findings) > 0
	}
	resp := map[string]any{
		"action":  "NONE",
		"outputs": []any{},
		"usage":   map[string]any{"topicPolicyUnits": 0, "contentPolicyUnits": 0, "wordPolicyUnits": len(outs), "sensitiveInformationPolicyUnits": len(outs), "sensitiveInformationPolicyFreeUnits": 0, "contextualGroundingPolicyUnits": 0},
	}
	var assessments, outputs []any
	for _, o := range outs {
		assessments = append(assessments, o.assessment())
		if blocked {
			continue
		}
		outputs = append(outputs, map[string]any{"text": o.masked})
	}
	if blocked {
		outputs = []any{map[string]any{"text": s.cfg.BlockedMessage}}
	}
	if found {
		resp["action"] = "GUARDRAIL_INTERVENED"
		resp["actionReason"] = "Guardrail blocked."
		if !blocked {
			resp["actionReason"] = "Guardrail masked."
		}
		resp["outputs"] = outputs
	}
	resp["assessments"] = assessments
	b, _ := json.Marshal(resp)
	if fault == FaultMalformed {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", s.requestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
