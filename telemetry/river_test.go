package telemetry_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/telemetry"
)

// TestTraceThroughQueue imports a ticket with no span around it (as
// `import` and `watch` do), works its job on a real River queue (SQLite),
// and checks that the ticket has one trace: the producer span of the
// insert, the consumer span of the job (its child, and linked to it), the
// summariser span, the call span and the attempt span.
func TestTraceThroughQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := mustRecorder(t)
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "q.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g := mustGateway(t, r.tel, nil, nil, &fakeModel{name: haiku})
	gm, err := g.Model(haiku)
	if err != nil {
		t.Fatal(err)
	}
	llm, err := summarize.NewLLM(summarize.LLMConfig{Model: gm, NoRepair: true})
	if err != nil {
		t.Fatal(err)
	}
	sum := r.tel.Summarizer(llm)
	done := make(chan error, 1)
	q, err := queue.NewSQLite(ctx, store, queue.Config{
		PollInterval: 10 * time.Millisecond, Middleware: []rivertype.Middleware{r.tel.QueueMiddleware()},
		Handler: func(ctx context.Context, id string) error {
			tk, err := store.FindTicket(ctx, id)
			if err == nil {
				_, err = sum.Summarize(ctx, tk)
			}
			done <- err
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Import(ctx, piiTicket()); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Logf("summarise: %v (only the spans matter here)", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the job did not run within a minute")
	}
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	spans := r.ended(t)
	find := func(name string) (s tracetest.SpanStub) {
		t.Helper()
		got := byName(spans, name)
		if len(got) != 1 {
			t.Fatalf("%d spans named %s, want 1: %v", len(got), name, spans)
		}
		return got[0]
	}
	send, process, summ, call, attempt := find("send summarize"), find("process summarize"), find("ticketsum.summarize"),
		find("ticketsum.gateway "), find("chat ")
	trace0 := send.SpanContext.TraceID()
	for _, s := range []tracetest.SpanStub{process, summ, call, attempt} {
		if s.SpanContext.TraceID() != trace0 {
			t.Errorf("span %s is in trace %s, want the ticket's %s", s.Name, s.SpanContext.TraceID(), trace0)
		}
	}
	if send.Parent.IsValid() || send.SpanKind != trace.SpanKindProducer || attrs(send)[telemetry.AttrTicketID].AsString() != "T-4242" {
		t.Errorf("send span: parent %v kind %s attributes %v", send.Parent, send.SpanKind, attrs(send))
	}
	if process.Parent.SpanID() != send.SpanContext.SpanID() || process.SpanKind != trace.SpanKindConsumer ||
		len(process.Links) != 1 || process.Links[0].SpanContext.SpanID() != send.SpanContext.SpanID() {
		t.Errorf("process span: parent %s kind %s links %v; want the send span %s as parent and link", process.Parent.SpanID(), process.SpanKind, process.Links, send.SpanContext.SpanID())
	}
	pa := attrs(process)
	if pa[telemetry.AttrJobOutcome].AsString() != "done" || pa[telemetry.AttrTicketID].AsString() != "T-4242" || pa["messaging.system"].AsString() != "river" {
		t.Errorf("process span attributes %v", pa)
	}
	for _, pc := range [][2]tracetest.SpanStub{{process, summ}, {summ, call}, {call, attempt}} {
		if pc[1].Parent.SpanID() != pc[0].SpanContext.SpanID() {
			t.Errorf("%s's parent is %s, want %s", pc[1].Name, pc[1].Parent.SpanID(), pc[0].Name)
		}
	}
}
