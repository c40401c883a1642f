package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/summarize"
)

// stopTimeout bounds a graceful stop: running jobs get this long to finish
// before they are cancelled and returned to the queue.
const stopTimeout = 30 * time.Second

// newWorkerCmd is `ticketsum worker`.
func newWorkerCmd(e *env) *cobra.Command {
	var o struct {
		model, metricsAddr string
		workers            int
		untilIdle          bool
	}
	cmd := &cobra.Command{
		Use:     "worker",
		GroupID: groupSummaries,
		Short:   "Run the summarisation queue until interrupted",
		Long: `Run the summarisation queue (River) until SIGINT or SIGTERM: each queued ticket
is summarised through the governed gateway and its summary saved. Any number of
workers share one Postgres store; on SQLite run one. On a signal, running jobs
get 30 seconds to finish and the rest go back to the queue.

With --until-idle it drains the queue instead and exits 0 when no job is left
(for cron, CI and one-off backfills), printing how many tickets were done,
failed and skipped and what the model calls cost; "ticketsum failures list"
shows the failed ones. A throttled job waits for its snooze
(worker.throttle_snooze), so the run lasts at least that long then, and so
does a retry due within a minute; after worker.throttle_snoozes snoozes (20)
throttling uses the job's attempts like any retryable error, so a quota that
never frees ends the run as an unreachable endpoint does (below) and, after
the last attempt, fails the ticket. When the only jobs left wait for retries
due later (the model endpoint is unreachable: each retry waits longer, up to
10 attempts over hours), it stops, prints the same counts and one line with
how many tickets wait, when the next attempt is due and the last error (as
recorded in the queue, whichever worker made the attempt), and exits 1. Those
tickets stay queued with their attempts ("ticketsum failures list --waiting"
lists them): run it again later, or "ticketsum worker" to keep running until
they are done.`,
		Example: `  ticketsum worker
  ticketsum worker --until-idle
  ticketsum worker --workers 16 --model bedrock:amazon.nova-lite-v1:0
  ticketsum worker --db postgres://ticketsum@db/tickets --metrics-addr 127.0.0.1:9090`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.load(cmd, modelBind(&o.model), workersBind(&o.workers))
			if err != nil {
				return err
			}
			if o.metricsAddr != "" {
				if err := checkAddr(o.metricsAddr); err != nil {
					return usagef("--metrics-addr: %s", err)
				}
			}
			if o.untilIdle {
				return e.drainWorker(cmd.Context(), cfg)
			}
			return e.runWorker(cmd.Context(), cfg, o.metricsAddr)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	modelFlag(f, &o.model)
	workersFlag(f, &o.workers)
	f.BoolVar(&o.untilIdle, "until-idle", false, "drain the queue, print done, failed, skipped and cost, and exit")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus /metrics on `ADDR`, such as 127.0.0.1:9090 (default off)")
	return cmd
}

// workersFlag registers --workers, the tickets summarised at once.
func workersFlag(f *pflag.FlagSet, workers *int) {
	f.IntVar(workers, "workers", 0, "tickets summarised at once, 1 to 1000 (default worker.concurrency in the config, or $TICKETSUM_WORKERS, 4)")
}

func workersBind(workers *int) bind {
	return bind{"workers", "worker.concurrency", func(c *Config) { c.Worker.Concurrency = *workers }}
}

// runWorker runs the queue until ctx ends.
func (e *env) runWorker(ctx context.Context, cfg Config, metricsAddr string) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	b, err := w.startWorker(ctx)
	if err != nil {
		return err
	}
	w.runDigests(ctx)
	if metricsAddr != "" {
		stop, err := w.serveMetrics(ctx, b, metricsAddr)
		if err != nil {
			_ = w.stopWorker(b)
			return err
		}
		defer stop()
	}
	w.logger.Info("worker started", "model", cfg.Model, "workers", w.workerSlots())
	defer w.startProgress(ctx, b)()
	<-ctx.Done()
	return w.stopWorker(b)
}

// drainHorizon is how long ahead worker --until-idle waits for a retry:
// one due later than this, with nothing else to run, ends the drain and is
// left queued. River's backoff (attempt⁴ seconds) makes that the fourth
// attempt of a job whose endpoint stays down, about 20 seconds in.
const drainHorizon = time.Minute

// drainWorker runs the queue until no job is left, then stops and prints
// what it did. It exits 0 even when tickets failed: they are recorded as
// failed, listed by "ticketsum failures list". When the only jobs left wait
// for retries due after drainHorizon, it stops too, leaves them queued and
// returns EUNAVAILABLE naming them and the last error.
func (e *env) drainWorker(ctx context.Context, cfg Config) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	var mu sync.Mutex
	var cost float64
	w.onSavedToo = func(_ context.Context, s *ticketsum.Summary) {
		mu.Lock()
		cost += s.CostUSD
		mu.Unlock()
	}
	b, err := w.startWorker(ctx)
	if err != nil {
		return err
	}
	w.runDigests(ctx)
	start := time.Now()
	deferred, waitErr := b.queue.WaitDrained(ctx, drainHorizon)
	if err := w.stopWorker(b); err != nil {
		return err
	}
	if waitErr != nil {
		return fmt.Errorf("drain the queue: %w", waitErr)
	}
	oc := b.queue.Outcomes()
	mu.Lock()
	defer mu.Unlock()
	what := "queue drained"
	if deferred.Jobs > 0 {
		what = "stopped with retries left"
	}
	fmt.Fprintf(e.stdout, "worker: %s in %s: %d done, %d failed, %d skipped (thread changed since or ticket deleted), $%.4f in model calls\n",
		what, time.Since(start).Round(time.Millisecond), oc.Completed, oc.Failed, oc.Superseded+oc.Cancelled, cost)
	if oc.Failed > 0 {
		fmt.Fprintf(e.stdout, "next: ticketsum failures list shows why; ticketsum failures retry --all after a fix\n")
	}
	if deferred.Jobs > 0 {
		if deferred.Reason == "" {
			deferred.Reason = oc.LastRetryReason
		}
		return retriesLeft(deferred, time.Now())
	}
	return nil
}

// retriesLeft is the error of a drain that left jobs waiting for a retry:
// how many tickets, when the next attempt is due, the last error's coded
// message (never the ticket's text), where to see each ticket and what to
// run.
func retriesLeft(d queue.Deferred, now time.Time) error {
	reason := d.Reason
	if reason == "" {
		reason = "not recorded (the worker that ran them logged it with reason=)"
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE,
		"%s still queued, waiting to retry; next attempt due %s (in %s); last error: %s; ticketsum failures list --waiting lists them; run ticketsum worker --until-idle again later, or ticketsum worker to keep running",
		plural(d.Tickets, "ticket"), d.Next.UTC().Format(time.RFC3339), max(0, d.Next.Sub(now)).Round(time.Second), reason)
}

// startWorker opens the backend and starts its queue with the one-ticket
// pipeline as handler.
func (w *wiring) startWorker(ctx context.Context) (*backend, error) {
	b, err := w.openWorker(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.queue.Start(ctx); err != nil {
		return nil, fmt.Errorf("start queue: %w", err)
	}
	return b, nil
}

// openWorker opens the backend with the one-ticket pipeline as the queue's
// handler, without starting the queue.
func (w *wiring) openWorker(ctx context.Context) (*backend, error) {
	// The handler runs only after Start, by which time w.proc and
	// w.writeBack are set.
	b, err := w.openBackend(ctx, func(ctx context.Context, id string) error {
		if err := w.proc.Process(ctx, id); err != nil {
			return err
		}
		return w.writeBack(ctx, id)
	}, func(ctx context.Context, id string, regeneration int) error {
		if err := w.proc.ProcessRegeneration(ctx, id, regeneration); err != nil {
			return err
		}
		return w.writeBack(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	// Every summary this process saves is a candidate for the review
	// queue (server.review_share), whichever command runs the queue.
	if err := w.sampleForReview(ctx, b); err != nil {
		return nil, err
	}
	pcfg, err := w.pipelineConfig(ctx, w.cfg.Model, b.store)
	if err != nil {
		return nil, err
	}
	if w.proc, err = summarize.New(pcfg); err != nil {
		return nil, err
	}
	pcfg.Summarizer = newBoundSummarizer(pcfg.Summarizer, w.batchCalls())
	if w.batchProc, err = summarize.New(pcfg); err != nil {
		return nil, err
	}
	// With source.write_back set, the current summary is also written to
	// the team's own table (idempotent); otherwise this does nothing.
	if w.writeBack, err = w.sourceWriteBack(ctx, b.store); err != nil {
		return nil, err
	}
	return b, nil
}

// stopWorker stops the queue gracefully; jobs still running after
// stopTimeout go back to the queue.
func (w *wiring) stopWorker(b *backend) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := b.queue.Stop(ctx); err != nil {
		return fmt.Errorf("stop queue: %w", err)
	}
	w.logger.Info("worker stopped")
	return nil
}

// serveMetrics serves /metrics on addr until the returned stop is called.
func (w *wiring) serveMetrics(ctx context.Context, b *backend, addr string) (func(), error) {
	prom, err := w.metrics()
	if err != nil {
		return nil, err
	}
	if err := prom.WatchQueue(b.queue); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "--metrics-addr %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", prom.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	w.logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}
