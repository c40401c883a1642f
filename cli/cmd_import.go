package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// importResult counts what an import did.
type importResult struct {
	queued, unchanged, bad int
}

// importProgress shows how many tickets an import has read: a line
// redrawn in place on a terminal (at most every importRedraw), else a
// plain line every progressEvery.
type importProgress struct {
	w          io.Writer
	now        func() time.Time
	tty, drawn bool
	start      time.Time
	last       time.Time
	res        importResult
}

// importRedraw is how often the terminal line is redrawn.
const importRedraw = 200 * time.Millisecond

func newImportProgress(w io.Writer, now func() time.Time, tty bool) *importProgress {
	t := now()
	return &importProgress{w: w, now: now, tty: tty, start: t, last: t}
}

// update records the counts so far and prints them when it is time.
func (p *importProgress) update(res importResult) {
	p.res = res
	t := p.now()
	every := progressEvery
	if p.tty {
		every = importRedraw
	}
	if t.Sub(p.last) < every {
		return
	}
	p.last = t
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", p.line(t))
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, p.line(t))
}

// finish ends the terminal line, if one was drawn.
func (p *importProgress) finish() {
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\n", p.line(p.now()))
	}
}

func (p *importProgress) line(t time.Time) string {
	n := p.res.queued + p.res.unchanged + p.res.bad
	rate := 0.0
	if d := t.Sub(p.start).Seconds(); d > 0 {
		rate = float64(n) / d
	}
	return fmt.Sprintf("import: %d tickets read  %.0f/s  %d queued  %d unchanged  %d bad", n, rate, p.res.queued, p.res.unchanged, p.res.bad)
}

// newImportCmd is `ticketsum import FILE|-`.
func newImportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "import FILE|-",
		GroupID: groupSummaries,
		Short:   "Store tickets from FILE and queue new or changed threads",
		Long: `Store the tickets of FILE (or stdin with -) by id, and queue each new or changed
thread for a summary: 500 tickets and their batch jobs are written in one
transaction, so a ticket is never stored without its job. An unchanged thread
is not queued again. A worker (ticketsum worker, or serve) makes the summaries,
behind live changes and ahead of a backfill.

The counts and the next step are printed on stdout; progress and each bad
record, with its line, on stderr. The good records are still imported after
a bad one, and the exit code is then 2.`,
		Example: `  ticketsum import tickets.jsonl
  jq -c '.[]' export.json | ticketsum import -
  ticketsum import --db postgres://ticketsum@db/tickets tickets.jsonl`,
		Args: argsOf(1, 1, "FILE (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.importFile(cmd.Context(), cfg, args[0])
		},
	}
	usesGlobals(cmd, allGlobals...)
	return cmd
}

// importFile imports the tickets of path.
func (e *env) importFile(ctx context.Context, cfg Config, path string) error {
	in, name, closeIn, err := openInput(e, path)
	if err != nil {
		return err
	}
	defer closeIn()
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return err
	}
	prog := newImportProgress(e.stderr, time.Now, isTerminal(e.stderr))
	res, err := importTickets(ctx, e, b, ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(cfg.MaxTicketBytes), LimitHint: ticketLimitHint(false)}), prog.update)
	prog.finish()
	fmt.Fprintf(e.stdout, "imported %s from %s: %d queued for summary, %d unchanged, %d bad\n",
		plural(res.queued+res.unchanged, "ticket"), name, res.queued, res.unchanged, res.bad)
	if err != nil {
		return err
	}
	if res.queued > 0 {
		fmt.Fprintf(e.stdout, "next: run a worker to summarise them: ticketsum worker --until-idle (or ticketsum serve, or ticketsum worker to keep running)\n")
	}
	if res.bad > 0 {
		return errReported
	}
	return nil
}

// importChunk is how many tickets an import stores per transaction, as a
// backfill page: one commit and one bulk insert of batch jobs for each.
const importChunk = 500

// importTickets stores every good ticket from dec, importChunk at a time
// (a chunk ends early at an id it already holds, so that the later record
// of a ticket wins), queueing new or changed threads, and reports each bad
// record on stderr.
func importTickets(ctx context.Context, e *env, b *backend, dec *ticketfile.Decoder, progress func(importResult)) (importResult, error) {
	var res importResult
	var chunk []*ticketsum.Ticket
	ids := map[string]bool{}
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		changed, bad, err := b.queue.ImportMany(ctx, chunk)
		if err != nil {
			return fmt.Errorf("import %s: %w", plural(len(chunk), "ticket"), err)
		}
		for i, t := range chunk {
			switch {
			case bad[i] != nil:
				fmt.Fprintf(e.stderr, "ticketsum import: ticket %q: %s\n", t.ID, ticketsum.ErrorMessage(bad[i]))
				res.bad++
			case changed[i]:
				res.queued++
			default:
				res.unchanged++
			}
		}
		chunk = chunk[:0]
		clear(ids)
		if progress != nil {
			progress(res)
		}
		return nil
	}
	for {
		t, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return res, flush()
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			fmt.Fprintf(e.stderr, "ticketsum import: %s\n", p.Error())
			res.bad++
			continue
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return res, ferr
			}
			return res, ticketsum.Errorf(ticketsum.EINVALID, "%s", ticketsum.ErrorMessage(err))
		}
		if ids[t.ID] || len(chunk) == importChunk {
			if err := flush(); err != nil {
				return res, err
			}
		}
		chunk = append(chunk, t)
		ids[t.ID] = true
	}
}
