package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// TestSummarizeExitCodesFollowTheFailureClass checks that `summarize`
// exits 1 for what the model or the settings got wrong and 2 only for bad
// input, and that a model that leaves the status out still gives a summary.
func TestSummarizeExitCodesFollowTheFailureClass(t *testing.T) {
	const model = "anthropic.claude-3-5-haiku-20241022-v1:0"
	onDemand := "Invocation of model ID " + model + " with on-demand throughput isn't supported."
	tests := []struct {
		name     string
		fault    bedrocktest.Fault
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"needs an inference profile", bedrocktest.Fault{Kind: bedrocktest.FaultValidation, Message: onDemand}, goodTicket, exitFailure, "inference profile"},
		{"request refused", bedrocktest.Fault{Kind: bedrocktest.FaultValidation}, goodTicket, exitFailure, "check the model's settings"},
		{"model not found", bedrocktest.Fault{Kind: bedrocktest.FaultNotFound}, goodTicket, exitFailure, "not found"},
		{"no status", bedrocktest.Fault{Kind: bedrocktest.FaultNoStatus}, goodTicket, exitOK, ""},
		{"bad input", bedrocktest.Fault{Kind: bedrocktest.FaultNoStatus}, `{"id":"X","messages":[]}`, exitUsage, "no messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{tt.fault}})
			setAWSEnv(t, srv)
			cfg := tempConfig(t)
			if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, "bedrock:"+model); r.code != exitOK {
				t.Fatalf("models approve: %+v", r)
			}
			r := run(t, context.Background(), tt.stdin, "summarize", "--json", "--config", cfg, "--model", "bedrock:"+model)
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, tt.wantCode, tt.wantErr)
			}
			if tt.wantCode != exitOK {
				return
			}
			var got struct {
				Status         string `json:"status"`
				StatusInferred bool   `json:"status_inferred"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Status == "" || !got.StatusInferred {
				t.Fatalf("summary %q (%v): want one with an inferred status", r.stdout, err)
			}
		})
	}
}

// summarizeAnswering runs `summarize --json` on goodTicket against a fake
// Bedrock whose model gives answer to every call, and returns the summary.
func summarizeAnswering(t *testing.T, answer string) (got struct {
	Summary string   `json:"summary"`
	Status  string   `json:"status"`
	Flags   []string `json:"flags"`
}) {
	t.Helper()
	const model = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(string, string) string { return answer }})
	setAWSEnv(t, srv)
	cfg := tempConfig(t)
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	r := run(t, context.Background(), goodTicket, "summarize", "--json", "--config", cfg, "--model", model)
	if r.code != exitOK {
		t.Fatalf("summarize: %+v", r)
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSummarizeTrimsChatter: a chat model that wraps its summary in
// conversation ("Sure! Here is a summary of the ticket:" ... "Let me know
// if you need anything else!"), in its answer and in the repair alike,
// used to have the wrapping saved as part of the summary that reviewers
// read; now the paid answer is kept without it, flagged.
func TestSummarizeTrimsChatter(t *testing.T) {
	const body = "The customer could not log in after a password change. The agent reset the password and the customer confirmed it works."
	got := summarizeAnswering(t, "Sure! Here is a summary of the ticket:\n\n"+body+"\nSTATUS: resolved\n\nLet me know if you need anything else!")
	if got.Summary != body || got.Status != "resolved" || !slices.Contains(got.Flags, "trimmed") {
		t.Fatalf("summary %q (%s, flags %v); want %q, resolved, flagged trimmed", got.Summary, got.Status, got.Flags, body)
	}
}

// TestSummarizeFlagsShortFrench: a model that answers in French, briefly
// enough that its "a"s read as English to a stop-word count alone, had its
// summary saved with no sign that it is not English: no repair was asked
// for and no flag set. Now the French function words are counted too: the
// answer gets its repair call, and the French summary kept is flagged
// output:not_english where reviewers see the flags.
func TestSummarizeFlagsShortFrench(t *testing.T) {
	got := summarizeAnswering(t, "Le client a signalé qu'il ne peut plus se connecter. L'agent a réinitialisé le mot de passe, ce qui a résolu le problème.\nSTATUS: resolved")
	if !slices.Contains(got.Flags, "output:not_english") || !slices.Contains(got.Flags, "repaired:not_english") {
		t.Fatalf("flags %v: want the French summary repaired once and flagged output:not_english", got.Flags)
	}
}
