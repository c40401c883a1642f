package bedrock_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/cost"
)

// TestGuardrailUnitsAreReportedAndPriced checks that the text units a
// guardrail trace reports reach the response's usage, and that the
// catalogue prices them into the call's cost.
func TestGuardrailUnitsAreReportedAndPriced(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-3-5-haiku-20241022-v1:0"
	answer := strings.Repeat("The agent resent the invoice. ", 40) // 1,200 characters: 2 units
	user := strings.Repeat("My invoice never arrived. ", 100)      // 2,600 characters: 3 units
	for _, stream := range []bool{false, true} {
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(string, string) string { return answer }})
		m := MustModel(t, srv, bedrock.Config{ModelID: model, Stream: stream, Guardrail: bedrock.GuardrailConfig{ID: "gr-1"}})
		resp, err := m.Generate(context.Background(), request(user))
		if err != nil {
			t.Fatal(err)
		}
		want := bedrocktest.TextUnits(user) + bedrocktest.TextUnits(answer)
		if g := resp.Usage.Guardrail; g.SensitiveInformation != want || g.WordFilters != want || g.DeniedTopics != 0 {
			t.Fatalf("stream %v: guardrail units %+v, want %d sensitive-information and word units", stream, g, want)
		}
		cat, err := cost.Default()
		if err != nil {
			t.Fatal(err)
		}
		withUnits, _ := cat.Cost("bedrock:"+model, resp.Usage)
		tokensOnly := resp.Usage
		tokensOnly.Guardrail = ticketsum.GuardrailUnits{}
		without, _ := cat.Cost("bedrock:"+model, tokensOnly)
		if d, wantUSD := withUnits-without, float64(want)*0.10/1000; d < wantUSD*0.999 || d > wantUSD*1.001 {
			t.Errorf("guardrail adds $%v to the call, want $%v", d, wantUSD)
		}
	}
}
