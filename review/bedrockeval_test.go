package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

func TestBedrockIdentifier(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"bedrock:amazon.nova-lite-v1:0/default-v1": "bedrock_amazon.nova-lite-v1_0_default-v1",
		"builtin":     "builtin",
		"//":          "config",
		"haiku v2 ✓":  "haiku_v2",
		"_leading-ok": "leading-ok",
	} {
		if got := review.BedrockIdentifier(in); got != want {
			t.Errorf("BedrockIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportBedrock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	run := mustEvalRun(t, e, e.Clock.Now(), 1205, []string{"bedrock:haiku/v1", "nova"}, "")
	cfg, err := e.Svc.BedrockExportOf(ctx, "latest")
	mustNoErr(t, err, "load run")
	if cfg.Run.ID != run.ID || len(cfg.Items) != 2410 || len(cfg.Tickets) != 1205 {
		t.Fatalf("loaded run %s with %d items and %d tickets", cfg.Run.ID, len(cfg.Items), len(cfg.Tickets))
	}
	cfg.Tickets["D-7"].ProductLine, cfg.Tickets["D-7"].References = "printers", []string{"A printer jams; rollers cleaned."}
	cfg.Redact = func(_ context.Context, t *ticketsum.Ticket, text string) (string, error) {
		return strings.ReplaceAll(text, "page", "{PAGE}"), nil
	}
	cfg.Check = func(_ context.Context, t *ticketsum.Ticket, text string) ([]string, error) {
		if t.ID == "D-9" {
			return []string{"NAME"}, nil
		}
		return nil, nil
	}
	out, err := review.ExportBedrock(ctx, cfg)
	mustNoErr(t, err, "export for judge jobs")
	if len(out.Datasets) != 4 || len(out.Skipped) != 1 || out.Skipped[0].TicketID != "D-9" || strings.Contains(out.Skipped[0].Reason, "{") {
		t.Fatalf("%d datasets, skipped %+v; want 2 configurations x 2 parts and D-9 left out", len(out.Datasets), out.Skipped)
	}
	first := out.Datasets[0]
	if len(first.Records) != 1000 || len(out.Datasets[1].Records) != 204 || first.Identifiers[0] != "bedrock_haiku_v1" {
		t.Errorf("parts %d + %d records, identifier %q; want 1000 + 204 and a valid identifier", len(first.Records), len(out.Datasets[1].Records), first.Identifiers[0])
	}
	var buf bytes.Buffer
	mustNoErr(t, first.WriteJSONL(&buf), "write")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var rec map[string]any
	mustNoErr(t, json.Unmarshal([]byte(lines[7]), &rec), "decode line")
	resp := rec["modelResponses"].([]any)[0].(map[string]any)
	if rec["category"] != "printers" || rec["referenceResponse"] != "A printer jams; rollers cleaned." || resp["modelIdentifier"] != "bedrock_haiku_v1" ||
		resp["response"] != "Summary 1 of D-7." || !strings.Contains(rec["prompt"].(string), "jams on {PAGE} 7") {
		t.Errorf("record 7 = %s", lines[7])
	}
	if len(rec) != 4 || len(resp) != 2 {
		t.Errorf("record keys %v, response keys %v; want exactly Bedrock's", rec, resp)
	}
	cfg.Human = true
	human, err := review.ExportBedrock(ctx, cfg)
	mustNoErr(t, err, "export for a human job")
	if len(human.Datasets) != 2 || len(human.Datasets[0].Records[0].ModelResponses) != 2 || human.Datasets[0].Name != review.BedrockIdentifier(run.ID)+"-bedrock_haiku_v1-vs-nova-1.jsonl" {
		t.Errorf("human export: %d datasets, first %q", len(human.Datasets), human.Datasets[0].Name)
	}
}
