package bedrock

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// Guardrail actions as Apply reports them.
const (
	ActionNone       = "NONE"
	ActionAnonymized = "ANONYMIZED"
	ActionBlocked    = "BLOCKED"
)

// Finding is one thing a Bedrock guardrail found. It never holds the
// matched text, which may be personal data.
type Finding struct {
	// Source is "input" or "output".
	Source string
	// Policy is "pii", "regex", "word", "managed_word", "topic", "content"
	// or "grounding".
	Policy string
	// Type is the PII type (EMAIL, NAME ...), the regex, topic or managed
	// list name, the content filter type, or "WORD" for a custom word.
	Type string
	// Action is ANONYMIZED, BLOCKED or NONE.
	Action string
}

// Flag returns the finding as a summary flag, e.g. "input:EMAIL:ANONYMIZED".
func (f Finding) Flag() string { return f.Source + ":" + f.Type + ":" + f.Action }

// guardResult is what a guardrail did to one model call.
type guardResult struct {
	intervened bool
	findings   []Finding
	units      ticketsum.GuardrailUnits // text units charged, from the trace's invocation metrics
}

func (g *guardResult) add(source string, a types.GuardrailAssessment) {
	g.findings = append(g.findings, findingsOf(source, a)...)
	if m := a.InvocationMetrics; m != nil && m.Usage != nil {
		u := m.Usage
		n := func(p *int32) int {
			if p == nil {
				return 0
			}
			return int(*p)
		}
		g.units = g.units.Add(ticketsum.GuardrailUnits{
			ContentFilters: n(u.ContentPolicyUnits), DeniedTopics: n(u.TopicPolicyUnits),
			SensitiveInformation: n(u.SensitiveInformationPolicyUnits), ContextualGrounding: n(u.ContextualGroundingPolicyUnits),
			WordFilters: n(u.WordPolicyUnits),
		})
	}
}

// addTrace adds the findings of a Converse guardrail trace.
func (g *guardResult) addTrace(t *types.GuardrailTraceAssessment) {
	if t == nil {
		return
	}
	keys := func(n int) []string { return make([]string, 0, n) }
	in := keys(len(t.InputAssessment))
	for k := range t.InputAssessment {
		in = append(in, k)
	}
	slices.Sort(in)
	for _, k := range in {
		g.add("input", t.InputAssessment[k])
	}
	out := keys(len(t.OutputAssessments))
	for k := range t.OutputAssessments {
		out = append(out, k)
	}
	slices.Sort(out)
	for _, k := range out {
		for _, a := range t.OutputAssessments[k] {
			g.add("output", a)
		}
	}
}

// findingsOf lists the interventions of one assessment.
func findingsOf(source string, a types.GuardrailAssessment) []Finding {
	var fs []Finding
	add := func(policy, typ, action string) {
		if action != "" && action != ActionNone {
			fs = append(fs, Finding{Source: source, Policy: policy, Type: typ, Action: action})
		}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if p := a.SensitiveInformationPolicy; p != nil {
		for _, e := range p.PiiEntities {
			add("pii", string(e.Type), string(e.Action))
		}
		for _, r := range p.Regexes {
			add("regex", str(r.Name), string(r.Action))
		}
	}
	if p := a.WordPolicy; p != nil {
		for _, w := range p.CustomWords {
			add("word", "WORD", string(w.Action))
		}
		for _, w := range p.ManagedWordLists {
			add("managed_word", string(w.Type), string(w.Action))
		}
	}
	if p := a.TopicPolicy; p != nil {
		for _, t := range p.Topics {
			add("topic", str(t.Name), string(t.Action))
		}
	}
	if p := a.ContentPolicy; p != nil {
		for _, f := range p.Filters {
			add("content", string(f.Type), string(f.Action))
		}
	}
	if p := a.ContextualGroundingPolicy; p != nil {
		for _, f := range p.Filters {
			add("grounding", string(f.Type), string(f.Action))
		}
	}
	return fs
}

// assessmentJSON is a guardrail assessment as InvokeModel bodies carry it
// in amazon-bedrock-trace; field names match case-insensitively.
type assessmentJSON struct {
	SensitiveInformationPolicy *struct {
		PiiEntities []struct{ Type, Action string }
		Regexes     []struct{ Name, Action string }
	}
	WordPolicy *struct {
		CustomWords      []struct{ Action string }
		ManagedWordLists []struct{ Type, Action string }
	}
	TopicPolicy *struct {
		Topics []struct{ Name, Action string }
	}
	ContentPolicy *struct {
		Filters []struct{ Type, Action string }
	}
	ContextualGroundingPolicy *struct {
		Filters []struct{ Type, Action string }
	}
}

func (a assessmentJSON) sdk() types.GuardrailAssessment {
	var out types.GuardrailAssessment
	if p := a.SensitiveInformationPolicy; p != nil {
		out.SensitiveInformationPolicy = &types.GuardrailSensitiveInformationPolicyAssessment{}
		for _, e := range p.PiiEntities {
			out.SensitiveInformationPolicy.PiiEntities = append(out.SensitiveInformationPolicy.PiiEntities,
				types.GuardrailPiiEntityFilter{Type: types.GuardrailPiiEntityType(e.Type), Action: types.GuardrailSensitiveInformationPolicyAction(e.Action)})
		}
		for _, r := range p.Regexes {
			name := r.Name
			out.SensitiveInformationPolicy.Regexes = append(out.SensitiveInformationPolicy.Regexes,
				types.GuardrailRegexFilter{Name: &name, Action: types.GuardrailSensitiveInformationPolicyAction(r.Action)})
		}
	}
	if p := a.WordPolicy; p != nil {
		out.WordPolicy = &types.GuardrailWordPolicyAssessment{}
		for _, w := range p.CustomWords {
			out.WordPolicy.CustomWords = append(out.WordPolicy.CustomWords, types.GuardrailCustomWord{Action: types.GuardrailWordPolicyAction(w.Action)})
		}
		for _, w := range p.ManagedWordLists {
			out.WordPolicy.ManagedWordLists = append(out.WordPolicy.ManagedWordLists,
				types.GuardrailManagedWord{Type: types.GuardrailManagedWordType(w.Type), Action: types.GuardrailWordPolicyAction(w.Action)})
		}
	}
	if p := a.TopicPolicy; p != nil {
		out.TopicPolicy = &types.GuardrailTopicPolicyAssessment{}
		for _, t := range p.Topics {
			name := t.Name
			out.TopicPolicy.Topics = append(out.TopicPolicy.Topics, types.GuardrailTopic{Name: &name, Action: types.GuardrailTopicPolicyAction(t.Action)})
		}
	}
	if p := a.ContentPolicy; p != nil {
		out.ContentPolicy = &types.GuardrailContentPolicyAssessment{}
		for _, f := range p.Filters {
			out.ContentPolicy.Filters = append(out.ContentPolicy.Filters,
				types.GuardrailContentFilter{Type: types.GuardrailContentFilterType(f.Type), Action: types.GuardrailContentPolicyAction(f.Action)})
		}
	}
	if p := a.ContextualGroundingPolicy; p != nil {
		out.ContextualGroundingPolicy = &types.GuardrailContextualGroundingPolicyAssessment{}
		for _, f := range p.Filters {
			out.ContextualGroundingPolicy.Filters = append(out.ContextualGroundingPolicy.Filters,
				types.GuardrailContextualGroundingFilter{Type: types.GuardrailContextualGroundingFilterType(f.Type), Action: types.GuardrailContextualGroundingPolicyAction(f.Action)})
		}
	}
	return out
}

// addInvokeFields reads amazon-bedrock-guardrailAction and
// amazon-bedrock-trace from an InvokeModel body or chunk.
func (g *guardResult) addInvokeFields(body map[string]json.RawMessage) {
	var action string
	if raw, ok := body["amazon-bedrock-guardrailAction"]; ok && json.Unmarshal(raw, &action) == nil && action == "INTERVENED" {
		g.intervened = true
	}
	raw, ok := body["amazon-bedrock-trace"]
	if !ok {
		return
	}
	var trace struct {
		Guardrail struct {
			Input   map[string]assessmentJSON   `json:"input"`
			Outputs []map[string]assessmentJSON `json:"outputs"`
		} `json:"guardrail"`
	}
	if json.Unmarshal(raw, &trace) != nil {
		return
	}
	for _, a := range trace.Guardrail.Input {
		g.add("input", a.sdk())
	}
	for _, o := range trace.Guardrail.Outputs {
		for _, a := range o {
			g.add("output", a.sdk())
		}
	}
}

// flags returns the summary flags of the interventions.
func (g guardResult) flags() []string {
	var out []string
	for _, f := range g.findings {
		if fl := f.Flag(); !slices.Contains(out, fl) {
			out = append(out, fl)
		}
	}
	return out
}

// checkGuardrail returns EFORBIDDEN when the guardrail blocked the call, or
// intervened without a trace that shows it only masked.
func (m *Model) checkGuardrail(g guardResult) error {
	var blocked []string
	for _, f := range g.findings {
		if f.Action == ActionBlocked {
			blocked = append(blocked, f.Source+" "+f.Policy+" "+f.Type)
		}
	}
	if len(blocked) > 0 {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "Bedrock guardrail %s blocked the call to %s (%s)", m.cfg.Guardrail.ID, m.cfg.ModelID, strings.Join(blocked, ", "))
	}
	if g.intervened && len(g.findings) == 0 {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "Bedrock guardrail %s intervened on the call to %s; enable guardrail trace to tell masking from blocking", m.cfg.Guardrail.ID, m.cfg.ModelID)
	}
	return nil
}
