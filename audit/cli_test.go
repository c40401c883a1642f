package audit_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestCmdUsageAndVerifyGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newClock()
	db := dbtest.SQLite(t)
	tr := MustTrailWithKey(t, db, clock, 5, 7)
	for i, p := range []string{"team-a", "ticketsum-worker", "ticketsum-worker", "team-a", "ticketsum-worker", "ticketsum-worker"} {
		clock.Add(6 * time.Hour)
		outcome := "success"
		if i == 3 {
			outcome = "denied"
		}
		tr.AppendInvocation(ctx, &audit.InvocationRecord{Timestamp: clock.Now(), ModelID: "bedrock:amazon.nova-lite-v1:0",
			Identity: audit.Identity{Principal: p}, RequestMetadata: audit.RequestMetadata{ProductLine: "billing"}, Outcome: outcome,
			CostUSD: 0.00012 * float64(i+1), GuardrailActions: []string{"input:NAME:ANONYMIZED"},
			Input: audit.InvocationInput{InputTokenCount: 1000 + i}, Output: &audit.InvocationOutput{OutputTokenCount: 50}})
	}
	var out bytes.Buffer
	for _, by := range []string{audit.ByPrincipal, audit.ByDay} {
		if err := audit.CmdUsage(ctx, tr, &out, by, time.Time{}, false); err != nil {
			t.Fatal(err)
		}
		out.WriteString("\n")
	}
	ok, err := audit.CmdAuditVerify(ctx, tr, &out, false)
	if err != nil || !ok {
		t.Fatalf("verify clean trail: ok=%v err=%v", ok, err)
	}
	mustExec(t, db, `UPDATE audit_records SET cost_micros = 0 WHERE seq = 2`)
	ok, err = audit.CmdAuditVerify(ctx, tr, &out, false)
	if err != nil || ok {
		t.Fatalf("verify edited trail: ok=%v err=%v", ok, err)
	}
	golden(t, "cli.golden", out.Bytes())
}

func TestCmdLogsReadIsAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w := MustLocalWrapper(t)
	sink, _ := audit.NewFileSink(audit.FileSinkConfig{Dir: dir, Wrapper: w, Clock: newClock()})
	writeCalls(t, sink, newClock(), 3)
	tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 100)
	r, _ := audit.NewReader(audit.DirSource{Dir: dir}, w)
	var out bytes.Buffer
	if err := audit.CmdLogsRead(ctx, r, tr, &out, "auditor-bob", audit.Filter{RequestID: "req-c"}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 || !strings.Contains(out.String(), `"requestId":"req-c"`) {
		t.Errorf("output = %q, want the one record", out.String())
	}
	evs, _ := tr.Events(ctx, 0, 0)
	if len(evs) != 1 || evs[0].Action != "logs.read" || evs[0].Actor != "auditor-bob" || evs[0].Details["request_id"] != "req-c" {
		t.Errorf("trail = %+v, want the read recorded", evs)
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), true},
		{"7d", now.Add(-7 * 24 * time.Hour), true},
		{"24h", now.Add(-24 * time.Hour), true},
		{"2026-11-20T10:00:00Z", time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), true},
		{"last week", time.Time{}, false},
		{"-3d", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := audit.ParseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("ParseSince(%q) code = %q, want invalid", tt.in, ticketsum.ErrorCodeOf(err))
		}
	}
}
