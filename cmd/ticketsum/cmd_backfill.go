package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum/source"
)

// runBackfill handles `ticketsum backfill --since DATE`.
func runBackfill(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backfill", "--since DATE")
	var cf commonFlags
	cf.register(fs)
	sinceFlag := fs.String("since", "", "copy tickets updated on or after DATE (2006-01-02 or RFC 3339); required")
	restart := fs.Bool("restart", false, "forget the saved cursor and start again from --since")
	batch := fs.Int("batch", 0, "tickets per page (default source.batch_size, 500)")
	parallel := fs.Int("parallel", 4, "tickets copied at once")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("takes no arguments")
	}
	since, err := parseSince(*sinceFlag)
	if err != nil {
		return err
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if *batch != 0 {
		cfg.Source.BatchSize = *batch
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	sb, err := w.openSource(ctx, true)
	if err != nil {
		return err
	}
	bar := newProgressBar(e.stderr, time.Now)
	p, err := sb.src.Backfill(ctx, source.BackfillOptions{Since: since, Restart: *restart, Parallel: *parallel, Progress: bar.update})
	bar.finish(p)
	fmt.Fprintf(e.stderr, "backfill: %d ticket(s) read: %d queued, %d unchanged, %d skipped\n", p.Seen, p.Queued, p.Unchanged, p.Skipped)
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

// progressBar draws one line on stderr, redrawn in place at most every
// 200ms: a bar, done/total, percentage, rate and ETA.
type progressBar struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	first int64 // done at the start (a resumed run)
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, now func() time.Time) *progressBar {
	return &progressBar{w: w, now: now, start: now(), first: -1}
}

func (b *progressBar) update(p source.Progress) {
	if b.first < 0 {
		b.first = p.Done - int64(p.Seen)
	}
	if t := b.now(); t.Sub(b.last) >= 200*time.Millisecond || p.Finished {
		b.last = t
		fmt.Fprint(b.w, "\r"+b.line(p, t))
		b.drawn = true
	}
}

func (b *progressBar) finish(p source.Progress) {
	if b.first < 0 {
		b.first = p.Done - int64(p.Seen)
	}
	fmt.Fprint(b.w, "\r"+b.line(p, b.now())+"\n")
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
