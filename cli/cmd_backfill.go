package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/source"
)

// backfillOptions are the flags of `ticketsum backfill`.
type backfillOptions struct {
	since           string
	restart         bool
	summarize       bool
	batch, parallel int
}

// newBackfillCmd is `ticketsum backfill --since DATE`.
func newBackfillCmd(e *env) *cobra.Command {
	var o backfillOptions
	cmd := &cobra.Command{
		Use:     "backfill --since DATE",
		GroupID: groupSource,
		Short:   "Copy and queue your tickets updated since DATE",
		Long: `Copy every ticket of the team's tables (the source section of the config)
updated on or after DATE into ticketsum's store, a page per transaction, and
queue them in batch jobs behind live changes. By default this process also
summarises the batches as they are copied (the built-in model on every core)
and returns when every copied ticket is summarised or failed; with
--summarize=false it only copies and queues, for the workers. Progress is
saved: after an interruption, run the same command again to continue. A
progress bar is drawn on a terminal; in a log, a line every 10 seconds. See
docs/postgres.md and docs/performance.md.`,
		Example: `  ticketsum backfill --since 2026-01-01
  ticketsum backfill --since 2026-01-01 --summarize=false   # workers elsewhere summarise
  ticketsum backfill --since 2026-01-01 --restart`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			since, err := parseSince(o.since)
			if err != nil {
				return err
			}
			switch {
			case o.parallel < 1 || o.parallel > 256:
				return usagef("--parallel: must be between 1 and 256, got %d", o.parallel)
			case cmd.Flags().Changed("batch") && (o.batch < 1 || o.batch > 100000):
				return usagef("--batch: must be between 1 and 100000, got %d", o.batch)
			}
			cfg, err := e.load(cmd, bind{"batch", "source.batch_size", func(c *Config) { c.Source.BatchSize = o.batch }})
			if err != nil {
				return err
			}
			return e.backfill(cmd.Context(), cfg, since, o)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "", "copy tickets updated on or after `DATE` (2026-01-31 or an RFC 3339 time); required")
	f.BoolVar(&o.restart, "restart", false, "forget the saved cursor and start again from --since")
	f.IntVar(&o.batch, "batch", 0, "tickets per page (default source.batch_size in the config, 500)")
	f.IntVar(&o.parallel, "parallel", 4, "tickets copied at once (only on stores that copy one ticket per transaction)")
	f.BoolVar(&o.summarize, "summarize", true, "also summarise the copied tickets in this process, and wait for them")
	return cmd
}

// backfill copies and queues the source's tickets updated since since and,
// with o.summarize, works the queue in this process until every backfill
// job is done.
func (e *env) backfill(ctx context.Context, cfg Config, since time.Time, o backfillOptions) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	if !strings.HasPrefix(cfg.DB, "postgres://") && !strings.HasPrefix(cfg.DB, "postgresql://") {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s", errSourceNeedsPostgres)
	}
	if !cfg.Source.configured() {
		return ticketsum.Errorf(ticketsum.EINVALID, "config has no source section (tickets and messages tables, or thread_query): see docs/postgres.md")
	}
	var b *backend
	if o.summarize {
		b, err = w.openWorker(ctx)
	} else {
		b, err = w.openBackend(ctx, nil, nil)
	}
	if err != nil {
		return err
	}
	st, q := b.store.(*postgres.Store), b.queue.(*queue.Queue[pgx.Tx])
	sc := cfg.Source
	scfg := source.Config{
		Mapping: sc.Mapping, Name: sc.Name, PollInterval: sc.PollInterval, Debounce: sc.Debounce,
		BatchSize: sc.BatchSize, Channel: sc.Channel, Logger: w.logger,
		Enqueue: riverEnqueue(q.Client()),
		EnqueueBatch: func(ctx context.Context, tx pgx.Tx, ts []*ticketsum.Ticket) error {
			items := make([]queue.Item, len(ts))
			for i, t := range ts {
				items[i] = queue.Item{TicketID: t.ID, ContentHash: t.ContentHash()}
			}
			return q.EnqueueBatchTx(ctx, tx, items)
		},
	}
	src, err := source.Open(ctx, st, scfg)
	if err != nil {
		return err
	}
	defer src.Close()
	if o.summarize {
		if err := q.Start(ctx); err != nil {
			return err
		}
		defer w.stopWorker(b)
	}
	bar := newProgressBar(e.stderr, time.Now, isTerminal(e.stderr))
	p, err := src.Backfill(ctx, source.BackfillOptions{Since: since, Restart: o.restart, Parallel: o.parallel, Progress: bar.update})
	bar.finish(p)
	fmt.Fprintf(e.stdout, "backfill: %s read: %d queued, %d unchanged, %d skipped\n", plural(p.Seen, "ticket"), p.Queued, p.Unchanged, p.Skipped)
	if err == nil && o.summarize {
		last := time.Now()
		err = q.WaitBackfill(ctx, func(left int) {
			if time.Since(last) >= progressEvery {
				last = time.Now()
				fmt.Fprintf(e.stderr, "backfill: %d batch jobs left to summarise\n", left)
			}
		})
		if err == nil {
			out := q.Outcomes()
			fmt.Fprintf(e.stdout, "backfill: summarised: %d tickets, %d failed (see: ticketsum failures list)\n", out.Completed, out.Failed)
		}
	}
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "backfill: interrupted; run the same command again to continue")
		return ctx.Err()
	}
	return err
}

// parseSince reads a date or an RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, usagef("--since DATE is required (e.g. --since 2026-01-01)")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--since %q: want a date like 2026-01-31 or an RFC 3339 time", s)
}

// progressBar draws the progress of a backfill: a bar, done/total,
// percentage, rate and ETA. On a terminal it is one line redrawn in place
// with \r at most every 200ms; elsewhere (a file, a CI log) it is a plain
// line every progressEvery.
type progressBar struct {
	w     io.Writer
	now   func() time.Time
	tty   bool
	start time.Time
	first int64 // done at the start (a resumed run)
	last  time.Time
}

func newProgressBar(w io.Writer, now func() time.Time, tty bool) *progressBar {
	t := now()
	return &progressBar{w: w, now: now, tty: tty, start: t, last: t, first: -1}
}

func (b *progressBar) update(p source.Progress) {
	if b.first < 0 {
		b.first = p.Done - int64(p.Seen)
	}
	every := progressEvery
	if b.tty {
		every = 200 * time.Millisecond
	}
	t := b.now()
	if t.Sub(b.last) < every || p.Finished {
		return // the finished line is drawn by finish
	}
	b.last = t
	if b.tty {
		fmt.Fprint(b.w, "\r"+b.line(p, t))
	} else {
		fmt.Fprintln(b.w, b.line(p, t))
	}
}

func (b *progressBar) finish(p source.Progress) {
	if b.first < 0 {
		b.first = p.Done - int64(p.Seen)
	}
	if b.tty {
		fmt.Fprint(b.w, "\r")
	}
	fmt.Fprintln(b.w, b.line(p, b.now()))
}

// line renders the progress at time t.
func (b *progressBar) line(p source.Progress, t time.Time) string {
	const width = 30
	elapsed := t.Sub(b.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.Done-b.first) / elapsed
	}
	if p.Total < 0 {
		return fmt.Sprintf("backfill %d done  %.0f/s  %s elapsed", p.Done, rate, shortDuration(t.Sub(b.start)))
	}
	done := min(p.Done, p.Total)
	frac := 1.0
	if p.Total > 0 {
		frac = float64(done) / float64(p.Total)
	}
	filled := int(frac * width)
	eta := "--"
	if rate > 0 {
		eta = shortDuration(time.Duration(float64(p.Total-done) / rate * float64(time.Second)))
	}
	return fmt.Sprintf("backfill [%s%s] %d/%d %5.1f%%  %.0f/s  ETA %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		done, p.Total, 100*frac, rate, eta)
}

// shortDuration renders d as 1h02m03s, 2m03s or 3s.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
