package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// TestReviewShareSetting runs import and `worker --until-idle` as a team
// would, with the review share set by TICKETSUM_REVIEW_SHARE (the Lambda
// function's variable too) or by server.review_share, and reads `review
// queue --json`: 1 samples every new summary, 0 none (in the file as in
// the environment, not the default 5%).
func TestReviewShareSetting(t *testing.T) {
	t.Parallel()
	// At the default 5% the summary of S-3032 is sampled whatever its id
	// (1, 2 or 3), so a share of 0 read as the default would show.
	var lines []string
	for _, id := range []string{"S-3032", "T-2", "T-3"} {
		lines = append(lines, strings.ReplaceAll(strings.ReplaceAll(goodTicket, "\n", ""), `"T-1"`, fmt.Sprintf("%q", id)))
	}
	tickets := writeFile(t, "t.jsonl", strings.Join(lines, "\n")+"\n")
	for _, tc := range []struct {
		name, file string
		env        map[string]string
		want       int
	}{
		{"environment 1", "", map[string]string{"TICKETSUM_REVIEW_SHARE": "1"}, 3},
		{"environment 0", "server:\n  review_share: 1\n", map[string]string{"TICKETSUM_REVIEW_SHARE": "0"}, 0},
		{"file 0", "server:\n  review_share: 0\n", nil, 0},
		{"default 5%", "", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := writeFile(t, "ticketsum.yaml", "data_dir: "+dir+"\n"+tc.file)
			ctx := context.Background()
			runEnv := func(args ...string) result {
				var out, errb syncBuffer
				code := Main(ctx, append(args, "--config", cfg), strings.NewReader(""), &out, &errb, func(k string) string { return tc.env[k] })
				return result{code, out.String(), errb.String()}
			}
			if r := runEnv("import", tickets); r.code != exitOK {
				t.Fatalf("import: %+v", r)
			}
			if r := runEnv("worker", "--until-idle"); r.code != exitOK {
				t.Fatalf("worker: %+v", r)
			}
			r := runEnv("review", "queue", "--json")
			var items []struct {
				TicketID string `json:"ticket_id"`
				Reason   string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &items); err != nil && tc.want > 0 {
				t.Fatalf("review queue --json: %v: %+v", err, r)
			}
			if len(items) != tc.want {
				t.Errorf("review queue holds %d items, want %d: %+v", len(items), tc.want, r)
			}
		})
	}
}

// TestFlaggedSummaryQueuedForReview: a summary the quality checks flagged
// (here a model answering in French, kept after its repair with
// output:not_english; or wrapped in chat that was trimmed off) reached the
// review queue only if the random sample picked it, so with
// server.review_share 0 no reviewer ever saw it. Every flagged summary is
// now queued, its reason naming the flags.
func TestFlaggedSummaryQueuedForReview(t *testing.T) {
	for _, tc := range []struct{ name, answer, flag string }{
		{"not english", "Le client a signalé qu'il ne peut plus se connecter. L'agent a réinitialisé le mot de passe, ce qui a résolu le problème.\nSTATUS: resolved", "output:not_english"},
		{"chatter", "Sure! Here is a summary of the ticket:\n\nThe customer could not log in after a password change. The agent reset the password and the customer confirmed it works.\nSTATUS: resolved\n\nLet me know if you need anything else!", "trimmed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(string, string) string { return tc.answer }})
			setAWSEnv(t, srv)
			cfg, _ := initWithTicket(t, "", "server:\n  review_share: 0\n")
			if r := run(t, context.Background(), "", "worker", "--until-idle", "--config", cfg); r.code != exitOK {
				t.Fatalf("worker: %+v", r)
			}
			r := run(t, context.Background(), "", "review", "queue", "--json", "--config", cfg)
			var items []struct {
				TicketID string `json:"ticket_id"`
				Reason   string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
				t.Fatalf("review queue --json: %v: %+v", err, r)
			}
			if len(items) != 1 || items[0].TicketID != "T-1" || !strings.HasPrefix(items[0].Reason, "flagged: ") || !strings.Contains(items[0].Reason, tc.flag) {
				t.Fatalf("review queue = %+v, want T-1 queued as flagged with %s", items, tc.flag)
			}
		})
	}
}
