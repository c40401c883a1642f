package summarize_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/sqlite"
	"github.com/ticketsum/ticketsum/storetest"
	"github.com/ticketsum/ticketsum/summarize"
)

const (
	journeyClaude = "anthropic.claude-3-5-haiku-20241022-v1:0" // structured output through a forced tool
	journeyLlama  = "meta.llama3-3-70b-instruct-v1:0"          // text only
)

// journeyRig is the production path of one ticket against the fake Bedrock:
// SQLite store, LLM summariser, gateway with retries, Bedrock provider.
type journeyRig struct {
	srv   *bedrocktest.Server
	store *flakyStore
	pipe  *summarize.Pipeline
}

// mustJourneyRig builds the rig; callTimeout bounds one provider attempt
// (0: 30s, so that a loaded machine never times out a healthy call).
func mustJourneyRig(t *testing.T, model string, faults []bedrocktest.Fault, callTimeout time.Duration) *journeyRig {
	t.Helper()
	ctx := context.Background()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: faults})
	aws := srv.AWSConfig()
	provider, err := bedrock.New(ctx, bedrock.Config{ModelID: model, AWS: &aws, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if callTimeout == 0 {
		callTimeout = 30 * time.Second
	}
	gw, err := gateway.New(gateway.Config{MaxAttempts: 3, CallTimeout: callTimeout,
		BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}, provider)
	if err != nil {
		t.Fatal(err)
	}
	gm, err := gw.Model(provider.Name())
	if err != nil {
		t.Fatal(err)
	}
	llm, err := summarize.NewLLM(summarize.LLMConfig{Model: gm})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "journey.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := &flakyStore{Store: db}
	pipe, err := summarize.New(summarize.Config{Summarizer: llm, Store: store, Model: provider.Name()})
	if err != nil {
		t.Fatal(err)
	}
	return &journeyRig{srv: srv, store: store, pipe: pipe}
}

// flakyStore is the SQLite store whose SaveSummary fails while failSaves is
// positive, as when the process dies between the model call and the save.
type flakyStore struct {
	*sqlite.Store
	failSaves atomic.Int32
}

func (f *flakyStore) SaveSummary(ctx context.Context, s *ticketsum.Summary) (bool, error) {
	if f.failSaves.Add(-1) >= 0 {
		return false, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "database went away")
	}
	return f.Store.SaveSummary(ctx, s)
}

// journeyTickets stores n tickets with distinct threads.
func journeyTickets(t *testing.T, store ticketsum.Store, n int) []*ticketsum.Ticket {
	t.Helper()
	var out []*ticketsum.Ticket
	for i := range n {
		tk := storetest.MustTicket(t, fmt.Sprintf("J-%d", i), storetest.WithReply(fmt.Sprintf("The renderer fix is live for workspace %d; it works now, resolved.", i)))
		storetest.MustUpsert(t, store, tk)
		out = append(out, tk)
	}
	return out
}

// TestJourneyUnderFaults runs tickets through the whole pipeline against the
// fake Bedrock configured with each fault, re-running a ticket the way the
// queue does (a retryable failure twice, anything else never), and checks
// that no ticket is lost (it has a summary, or its last error has the
// expected class), that model calls per ticket stay bounded, and that the
// flags of the output contract are recorded.
func TestJourneyUnderFaults(t *testing.T) {
	t.Parallel()
	const n = 6
	onDemand := "Invocation of model ID " + journeyClaude + " with on-demand throughput isn't supported."
	tests := []struct {
		name      string
		model     string
		faults    []bedrocktest.Fault
		wantSaved int
		wantClass ticketsum.FailureClass // of the tickets not saved
		maxCalls  int                    // model calls per ticket, every run included
		wantFlag  string                 // carried by every saved summary
	}{
		{"none, structured", journeyClaude, nil, n, "", 1, summarize.FlagStructured},
		{"no status, structured", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultNoStatus}}, n, "", 1, ticketsum.FlagStatusInferred},
		{"no status, text", journeyLlama, []bedrocktest.Fault{{Kind: bedrocktest.FaultNoStatus}}, n, "", 1, ticketsum.FlagStatusInferred},
		{"access denied", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultAccessDenied}}, 0, ticketsum.ClassConfig, 1, ""},
		{"needs an inference profile", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultValidation, Message: onDemand}}, 0, ticketsum.ClassConfig, 1, ""},
		{"model not found", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultNotFound}}, 0, ticketsum.ClassConfig, 1, ""},
		{"throttled every other call", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Every: 2}}, n, "", 2, summarize.FlagStructured},
		{"5xx always", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultInternal}}, 0, ticketsum.ClassRetryable, 6, ""},
		{"model not ready always", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultModelNotReady}}, 0, ticketsum.ClassRetryable, 6, ""},
		{"stall past the deadline", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultStall, Delay: time.Minute}}, 0, ticketsum.ClassRetryable, 6, ""},
		{"dropped after answering, every other call", journeyClaude, []bedrocktest.Fault{{Kind: bedrocktest.FaultDropAfterAnswer, Every: 2}}, n, "", 2, summarize.FlagStructured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var timeout time.Duration
			if len(tt.faults) > 0 && tt.faults[0].Kind == bedrocktest.FaultStall {
				timeout = 100 * time.Millisecond
			}
			rig := mustJourneyRig(t, tt.model, tt.faults, timeout)
			tickets := journeyTickets(t, rig.store, n)
			ctx := context.Background()
			saved, failed := 0, 0
			for _, tk := range tickets {
				before := rig.srv.Stats().Calls[tt.model]
				var err error
				for run := 0; run < 2; run++ {
					if err = rig.pipe.Process(ctx, tk.ID); err == nil || ticketsum.ClassOf(err) != ticketsum.ClassRetryable {
						break
					}
				}
				calls := rig.srv.Stats().Calls[tt.model] - before
				if calls > tt.maxCalls {
					t.Errorf("ticket %s: %d model calls, want at most %d", tk.ID, calls, tt.maxCalls)
				}
				cur, cerr := rig.store.CurrentSummary(ctx, tk.ID)
				switch {
				case err == nil && cerr == nil:
					saved++
					if tt.wantFlag != "" && !cur.HasFlag(tt.wantFlag) {
						t.Errorf("ticket %s: flags %v lack %s", tk.ID, cur.Flags, tt.wantFlag)
					}
					if !cur.Status.Valid() || cur.CostUSD <= 0 {
						t.Errorf("ticket %s: status %q cost %v", tk.ID, cur.Status, cur.CostUSD)
					}
				case err != nil && cerr != nil:
					failed++
					if got := ticketsum.ClassOf(err); got != tt.wantClass {
						t.Errorf("ticket %s: class %s (%v), want %s", tk.ID, got, err, tt.wantClass)
					}
				default:
					t.Errorf("ticket %s lost: process error %v, current summary error %v", tk.ID, err, cerr)
				}
			}
			if saved != tt.wantSaved || saved+failed != n {
				t.Errorf("%d saved and %d failed of %d, want %d saved", saved, failed, n, tt.wantSaved)
			}
			st := rig.srv.Stats()
			t.Logf("journey %-42s tickets %d saved %d failed %d model calls %d paid %d dropped %d", tt.name, n, saved, failed, st.Calls[tt.model], st.Succeeded, st.Dropped)
		})
	}
}

func TestJourneyReusesThePaidAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rig := mustJourneyRig(t, journeyClaude, nil, 0)
	tk := journeyTickets(t, rig.store, 1)[0]
	rig.store.failSaves.Store(1) // the save after the paid call fails, as in a crash
	if err := rig.pipe.Process(ctx, tk.ID); ticketsum.ClassOf(err) != ticketsum.ClassRetryable {
		t.Fatalf("first run: %v, want the retryable save failure", err)
	}
	if err := rig.pipe.Process(ctx, tk.ID); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	st := rig.srv.Stats()
	if st.Calls[journeyClaude] != 1 || st.Succeeded != 1 {
		t.Errorf("%d model calls (%d paid) for one ticket run twice, want the paid answer reused: 1", st.Calls[journeyClaude], st.Succeeded)
	}
	cur, err := rig.store.CurrentSummary(ctx, tk.ID)
	if err != nil || !cur.HasFlag(summarize.FlagReusedAnswer) || cur.CostUSD <= 0 {
		t.Fatalf("summary %+v, %v; want one made from the recorded answer, with its cost", cur, err)
	}
	t.Logf("journey crash after the paid call: runs 2 model calls %d paid %d", st.Calls[journeyClaude], st.Succeeded)
}

func TestJourneyChangedThreadCallsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rig := mustJourneyRig(t, journeyClaude, nil, 0)
	old := journeyTickets(t, rig.store, 1)[0]
	edited := storetest.MustTicket(t, old.ID, storetest.WithReply("One more thing: the CSV export fails too."))
	storetest.MustUpsert(t, rig.store, edited)
	if err := rig.pipe.ProcessVersion(ctx, old.ID, old.ContentHash()); err != nil {
		t.Fatal(err)
	}
	if n := rig.srv.Stats().Calls[journeyClaude]; n != 0 {
		t.Fatalf("the job for the superseded thread made %d model calls, want 0", n)
	}
	if err := rig.pipe.ProcessVersion(ctx, old.ID, edited.ContentHash()); err != nil {
		t.Fatal(err)
	}
	if err := rig.pipe.ProcessVersion(ctx, old.ID, edited.ContentHash()); err != nil {
		t.Fatal(err)
	}
	if n := rig.srv.Stats().Calls[journeyClaude]; n != 1 {
		t.Fatalf("the current thread's job run twice made %d model calls, want 1", n)
	}
}
