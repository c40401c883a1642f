package cli

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// gateSummarizer blocks every call until release is closed and records the
// most calls it saw at once.
type gateSummarizer struct {
	release      chan struct{}
	entered      chan struct{}
	now, highest atomic.Int32
}

func (g *gateSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	n := g.now.Add(1)
	for {
		h := g.highest.Load()
		if n <= h || g.highest.CompareAndSwap(h, n) {
			break
		}
	}
	g.entered <- struct{}{}
	<-g.release
	g.now.Add(-1)
	return &ticketsum.Summary{TicketID: t.ID}, nil
}

func (g *gateSummarizer) ModelName() string     { return "m" }
func (g *gateSummarizer) PromptVersion() string { return "v1" }

// TestBoundSummarizer checks that the batch jobs' summarizer lets at most
// its bound of calls run at once, keeps the model name and prompt version
// the pipeline needs to record paid answers, and gives up with EUNAVAILABLE
// when the job is stopped while it waits.
func TestBoundSummarizer(t *testing.T) {
	t.Parallel()
	g := &gateSummarizer{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	s := newBoundSummarizer(g, 3)
	k, ok := s.(interface {
		ModelName() string
		PromptVersion() string
	})
	if !ok || k.ModelName() != "m" || k.PromptVersion() != "v1" {
		t.Fatalf("bound summarizer lost the model name and prompt version: %T", s)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Summarize(context.Background(), &ticketsum.Ticket{ID: "t"}); err != nil {
				t.Error(err)
			}
		}()
	}
	for range 3 {
		<-g.entered
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Summarize(ctx, &ticketsum.Ticket{ID: "late"}); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("stopped while waiting: %v, want EUNAVAILABLE", err)
	}
	close(g.release)
	wg.Wait()
	if h := g.highest.Load(); h != 3 {
		t.Errorf("at most %d calls ran at once, want 3", h)
	}
	if _, ok := newBoundSummarizer(ticketsumSummarizerFunc(nil), 1).(interface{ ModelName() string }); ok {
		t.Error("a summarizer without a model name gained one")
	}
}

// ticketsumSummarizerFunc is a Summarizer from a function.
type ticketsumSummarizerFunc func(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error)

func (f ticketsumSummarizerFunc) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return f(ctx, t)
}
