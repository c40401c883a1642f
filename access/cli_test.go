package access_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

func TestCLICommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	var out bytes.Buffer
	models, budget, rpm := []string{"bedrock:*"}, 20.0, 60
	if err := access.CmdPrincipalsPut(ctx, svc, &out, "alice", "team-a", access.PrincipalPatch{Models: &models, MonthlyBudgetUSD: &budget, RequestsPerMinute: &rpm}); err != nil {
		t.Fatal(err)
	}
	budget = 30
	if err := access.CmdPrincipalsPut(ctx, svc, &out, "alice", "team-a", access.PrincipalPatch{MonthlyBudgetUSD: &budget}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if !strings.Contains(out.String(), "principal team-a created") || !strings.Contains(out.String(), "principal team-a updated: models bedrock:*, budget $30.00/month, requests 60 per minute") {
		t.Errorf("put output = %q", out.String())
	}
	out.Reset()
	if err := access.CmdKeysCreate(ctx, svc, &out, "alice", "team-a", 24*time.Hour, nil, false); err != nil {
		t.Fatal(err)
	}
	raw := strings.SplitN(out.String(), "\n", 2)[0]
	if _, err := svc.Authenticate(ctx, raw); err != nil {
		t.Fatalf("printed key %q does not authenticate: %v", raw[:13], err)
	}
	if !strings.Contains(out.String(), "shown once") {
		t.Errorf("create output lacks the shown-once warning: %q", out.String())
	}
	prefix := raw[4:12]
	out.Reset()
	if err := access.CmdKeysList(ctx, svc, &out, "", false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "tks_"+prefix+"_...") || !strings.Contains(out.String(), "active") || strings.Contains(out.String(), raw[13:]) {
		t.Errorf("list output = %q", out.String())
	}
	if err := access.CmdKeysRevoke(ctx, svc, &out, "alice", "tks_"+prefix+"_..."); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	access.CmdKeysList(ctx, svc, &out, "team-a", true)
	var keys []map[string]any
	if err := json.Unmarshal(out.Bytes(), &keys); err != nil || len(keys) != 1 || keys[0]["status"] != "revoked" {
		t.Errorf("JSON list = %s (%v)", out.String(), err)
	}
	out.Reset()
	if err := access.CmdModelsApprove(ctx, svc, &out, "alice", haiku, "eval 3"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	access.CmdModelsList(ctx, svc, &out, false)
	if !strings.Contains(out.String(), haiku) || !strings.Contains(out.String(), "eval 3") {
		t.Errorf("models list = %q", out.String())
	}
	out.Reset()
	access.CmdPrincipalsList(ctx, svc, &out, false)
	if !strings.Contains(out.String(), "$30.00") {
		t.Errorf("principals list = %q, want the updated budget", out.String())
	}
}

// TestKeysCreateUnknownPrincipal checks that a key for a principal that
// does not exist is refused naming the command that creates it.
func TestKeysCreateUnknownPrincipal(t *testing.T) {
	t.Parallel()
	svc, _, _ := MustService(t)
	var out bytes.Buffer
	err := access.CmdKeysCreate(context.Background(), svc, &out, "alice", "nobody", time.Hour, nil, false)
	if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND || !strings.Contains(err.Error(), "ticketsum principals put nobody --budget") {
		t.Fatalf("err = %v, want not found naming principals put", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q for a refused key", out.String())
	}
}
