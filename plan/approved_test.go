package plan_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/plan"
)

// The plan lists the approved models beside the evaluated ones: an
// approved model no run tried says so and gives the eval command, an
// evaluated model nobody approved gives the approve command, and the
// winner is marked ready.
func TestModelsApprovedBesideEvaluated(t *testing.T) {
	t.Parallel()
	ev := plan.Evidence{EvalRun: true, EvalRunID: "r7", EvalMeetsBar: true, Winner: sonnet37, WinnerConfig: sonnet37 + "/v1",
		Evaluated: []string{sonnet37, sonnet, titan}}
	p := MustPlan(t, plan.Config{Models: []string{sonnet37}, Evidence: ev,
		Approved: []string{titan, sonnet37, "bedrock:amazon.nova-lite-v1:0", "bedrock:amazon.nova-pro-v1:0", titan}}, seed())
	want := []plan.ModelStatus{
		{Model: "bedrock:amazon.nova-lite-v1:0", Approved: true, Next: "approved but not evaluated in eval run r7: run `ticketsum eval --models bedrock:amazon.nova-lite-v1:0`"},
		{Model: "bedrock:amazon.nova-pro-v1:0", Approved: true, Next: "approved but not evaluated in eval run r7: run `ticketsum eval --models bedrock:amazon.nova-pro-v1:0`"},
		{Model: titan, Approved: true, Evaluated: true, Next: "evaluated in eval run r7; " + sonnet37 + " met every bar for less"},
		{Model: sonnet37, Approved: true, Evaluated: true, Winner: true, Next: "ready: the cheapest model meeting every bar in eval run r7"},
		{Model: sonnet, Evaluated: true, Next: "evaluated in eval run r7 but not approved: nobody may call it until an administrator runs `ticketsum models approve " + sonnet + "`"},
	}
	if !slices.Equal(p.Models, want) {
		t.Errorf("Models =\n%+v\nwant\n%+v", p.Models, want)
	}

	var text bytes.Buffer
	if err := plan.Render(&text, p); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	section := out[strings.Index(out, "Approved and evaluated models"):strings.Index(out, "\nStages")]
	for _, line := range []string{
		"MODEL", "APPROVED", "EVALUATED",
		"bedrock:amazon.nova-lite-v1:0", "approved but not evaluated in eval run r7",
		"Evaluate the 2 approved models not yet evaluated at once: ticketsum eval --models bedrock:amazon.nova-lite-v1:0,bedrock:amazon.nova-pro-v1:0",
		sonnet + "  no ", "ticketsum models approve " + sonnet,
	} {
		if !strings.Contains(section, line) {
			t.Errorf("rendered section lacks %q:\n%s", line, section)
		}
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"models":[{"model":"bedrock:amazon.nova-lite-v1:0","approved":true,"evaluated":false,"next":`) {
		t.Errorf("JSON lacks the models list: %s", data)
	}

	// No eval run yet: every approved model says so; nothing evaluated
	// and nothing approved leaves the section out.
	p = MustPlan(t, plan.Config{Models: []string{sonnet37}, Approved: []string{sonnet37}}, seed())
	if len(p.Models) != 1 || p.Models[0].Next != "approved but not evaluated (no eval run yet): run `ticketsum eval --models "+sonnet37+"`" {
		t.Errorf("without a run: %+v", p.Models)
	}
	p = MustPlan(t, plan.Config{Models: []string{sonnet37}}, seed())
	text.Reset()
	if err := plan.Render(&text, p); err != nil {
		t.Fatal(err)
	}
	if p.Models != nil || strings.Contains(text.String(), "Approved and evaluated") {
		t.Errorf("nothing approved or evaluated, yet: %+v", p.Models)
	}
}
