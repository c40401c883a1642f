package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// memSink is a recording fake Sink; fail makes Write fail.
type memSink struct {
	recs []*audit.InvocationRecord
	fail bool
}

func (s *memSink) Write(_ context.Context, r *audit.InvocationRecord) error {
	if s.fail {
		return errors.New("disk full")
	}
	s.recs = append(s.recs, r)
	return nil
}
func (s *memSink) Flush(context.Context) error { return nil }
func (s *memSink) Close(context.Context) error { return nil }

func TestMiddlewareRecordsOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		err         error
		wantOutcome string
		wantCode    string
	}{
		{"success", nil, "success", ""},
		{"denied", ticketsum.Errorf(ticketsum.EFORBIDDEN, "model x not in allow-list of principal team-a"), "denied", "forbidden"},
		{"over budget", ticketsum.Errorf(ticketsum.EQUOTA, "monthly budget of $1.00 for team-a is spent"), "denied", "quota_exceeded"},
		{"provider down", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "bedrock: service unavailable"), "error", "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := &memSink{}
			tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 100)
			wrap, err := audit.Middleware(audit.MiddlewareConfig{Log: sink, Trail: tr, Clock: newClock(),
				Redact: func(s string) string { return strings.ReplaceAll(s, "margarethe.vandersloot@example.org", "{EMAIL_1}") }})
			if err != nil {
				t.Fatal(err)
			}
			_, gotErr := wrap(&fakeModel{name: "m1", text: "done", err: tt.err}).Generate(context.Background(), piiRequest(0))
			if !errors.Is(gotErr, tt.err) {
				t.Errorf("error = %v, want the model's %v passed through", gotErr, tt.err)
			}
			if len(sink.recs) != 1 {
				t.Fatalf("logged %d records, want 1", len(sink.recs))
			}
			r := sink.recs[0]
			if r.Outcome != tt.wantOutcome || r.ErrorCode != tt.wantCode || r.ModelID != "m1" || r.RequestID != "req-a" {
				t.Errorf("record outcome=%s code=%s model=%s request=%s", r.Outcome, r.ErrorCode, r.ModelID, r.RequestID)
			}
			if c := r.Input.InputBodyJSON.Messages[0].Content; strings.Contains(c, "@example.org") || !strings.Contains(c, "{EMAIL_1}") {
				t.Errorf("logged input %q was not redacted", c)
			}
			evs, _ := tr.Events(context.Background(), 0, 0)
			if len(evs) != 1 || evs[0].Outcome != tt.wantOutcome || evs[0].Actor != "ticketsum-worker" || evs[0].Target != "m1" {
				t.Errorf("trail = %+v", evs)
			}
		})
	}
}

func TestMiddlewareFailsClosed(t *testing.T) {
	t.Parallel()
	for _, failOpen := range []bool{false, true} {
		wrap, _ := audit.Middleware(audit.MiddlewareConfig{Log: &memSink{fail: true}, FailOpen: failOpen})
		resp, err := wrap(&fakeModel{name: "m1", text: "done"}).Generate(context.Background(), piiRequest(0))
		if failOpen && (err != nil || resp == nil) {
			t.Errorf("fail-open: %v, want the answer", err)
		}
		if !failOpen && (resp != nil || !errors.Is(err, audit.ErrNotRecorded)) {
			t.Errorf("fail-closed: %v, want the call refused as not recorded", err)
		}
	}
	if _, err := audit.Middleware(audit.MiddlewareConfig{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("empty config: %v, want invalid", err)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newClock()
	tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, clock, 1000)
	add := func(principal, model, line, outcome string, cost float64, flags ...string) {
		t.Helper()
		r := &audit.InvocationRecord{Timestamp: clock.Now(), ModelID: model, Identity: audit.Identity{Principal: principal},
			RequestMetadata: audit.RequestMetadata{ProductLine: line}, Outcome: outcome, CostUSD: cost, GuardrailActions: flags,
			Input: audit.InvocationInput{InputTokenCount: 100}, Output: &audit.InvocationOutput{OutputTokenCount: 10}}
		if err := tr.AppendInvocation(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	add("team-a", "haiku", "billing", "success", 0.001, "input:NAME:ANONYMIZED", "input:EMAIL:ANONYMIZED")
	add("team-a", "haiku", "billing", "denied", 0)
	clock.Add(24 * time.Hour)
	add("worker", "nova", "mobile", "success", 0.0005, "input:NAME:ANONYMIZED")
	add("worker", "haiku", "mobile", "error", 0)
	tr.RecordAdmin(ctx, "alice", "key.create", "abc", nil) // not a call

	rows, err := tr.Usage(ctx, audit.ByPrincipal, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows = %+v, want team-a and worker", rows)
	}
	a := rows[0]
	if a.Key != "team-a" || a.Calls != 2 || a.Denied != 1 || a.Succeeded != 1 || a.CostUSD != 0.001 || a.InputTokens != 200 ||
		a.Guardrails["NAME"] != 1 || a.Guardrails["EMAIL"] != 1 {
		t.Errorf("team-a row = %+v", a)
	}
	if w := rows[1]; w.Errors != 1 || w.CostUSD != 0.0005 {
		t.Errorf("worker row = %+v", w)
	}
	days, _ := tr.Usage(ctx, audit.ByDay, time.Time{})
	if len(days) != 2 || days[0].Key != "2026-11-25" || days[1].Calls != 2 {
		t.Errorf("by day = %+v", days)
	}
	since, _ := tr.Usage(ctx, audit.ByModel, clock.Now())
	if len(since) != 2 || since[0].Key != "haiku" || since[0].Calls != 1 {
		t.Errorf("by model since day 2 = %+v", since)
	}
	if _, err := tr.Usage(ctx, "team", time.Time{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("bad grouping: %v, want invalid", err)
	}
}

// fallbackModel answers as another model, as the gateway does after a
// fallback.
type fallbackModel struct{ fakeModel }

func (m *fallbackModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	resp, err := m.fakeModel.Generate(ctx, req)
	if resp != nil {
		resp.Model = "bedrock:amazon.nova-lite-v1:0"
	}
	return resp, err
}

func TestTrailAttributesCostToTheModelThatAnswered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sink := &memSink{}
	tr := MustTrail(t, dbtest.SQLite(t), audit.SQLite, newClock(), 100)
	wrap, _ := audit.Middleware(audit.MiddlewareConfig{Log: sink, Trail: tr})
	if _, err := wrap(&fallbackModel{fakeModel{name: "bedrock:anthropic.claude-sonnet-4"}}).Generate(ctx, piiRequest(0)); err != nil {
		t.Fatal(err)
	}
	if r := sink.recs[0]; r.ModelID != "bedrock:anthropic.claude-sonnet-4" || r.ResponseModelID != "bedrock:amazon.nova-lite-v1:0" {
		t.Errorf("log record model=%s response model=%s", r.ModelID, r.ResponseModelID)
	}
	rows, _ := tr.Usage(ctx, audit.ByModel, time.Time{})
	if len(rows) != 1 || rows[0].Key != "bedrock:amazon.nova-lite-v1:0" || rows[0].CostUSD != 0.0012 {
		t.Errorf("usage by model = %+v, want the cost on the fallback model", rows)
	}
}

// nameKey carries, in a call's context, a name the redactor must remove.
type nameKey struct{}

func TestMiddlewareRedactsWithTheCallsContext(t *testing.T) {
	t.Parallel()
	sink := &memSink{}
	wrap, _ := audit.Middleware(audit.MiddlewareConfig{Log: sink, RedactContext: func(ctx context.Context, s string) string {
		name, _ := ctx.Value(nameKey{}).(string)
		return strings.ReplaceAll(s, name, "{NAME_1}")
	}})
	ctx := context.WithValue(context.Background(), nameKey{}, "Margarethe Vandersloot")
	if _, err := wrap(&fakeModel{name: "m1", text: "Margarethe Vandersloot was helped."}).Generate(ctx, piiRequest(0)); err != nil {
		t.Fatal(err)
	}
	r := sink.recs[0]
	if in, out := r.Input.InputBodyJSON.Messages[0].Content, r.Output.OutputBodyJSON.Text; strings.Contains(in+out, "Vandersloot") || !strings.Contains(out, "{NAME_1}") {
		t.Errorf("logged input %q, output %q: the name known from the context was not redacted", in, out)
	}
}
