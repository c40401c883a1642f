package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// importResult counts what an import did.
type importResult struct {
	queued, unchanged, bad int
}

// runImport handles `ticketsum import FILE`.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import", "FILE|-")
	var cf commonFlags
	cf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one FILE (or - for stdin)")
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	in, name, closeIn, err := openInput(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer closeIn()
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	b, err := w.openBackend(ctx, nil)
	if err != nil {
		return err
	}
	res, err := importTickets(ctx, e, b, ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(cfg.MaxTicketBytes)}))
	fmt.Fprintf(e.stderr, "imported %d ticket(s) from %s: %d queued for summary, %d unchanged, %d bad\n",
		res.queued+res.unchanged, name, res.queued, res.unchanged, res.bad)
	if err != nil {
		return err
	}
	if res.bad > 0 {
		return errReported
	}
	return nil
}

// importTickets stores every good ticket from dec, queueing new or changed
// threads, and reports each bad record on stderr.
func importTickets(ctx context.Context, e *env, b *backend, dec *ticketfile.Decoder) (importResult, error) {
	var res importResult
	for {
		t, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			fmt.Fprintf(e.stderr, "ticketsum import: %s\n", p.Error())
			res.bad++
			continue
		}
		if err != nil {
			return res, ticketsum.Errorf(ticketsum.EINVALID, "%s", ticketsum.ErrorMessage(err))
		}
		changed, err := b.queue.Import(ctx, t)
		switch {
		case ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID:
			fmt.Fprintf(e.stderr, "ticketsum import: ticket %q: %s\n", t.ID, ticketsum.ErrorMessage(err))
			res.bad++
		case err != nil:
			return res, fmt.Errorf("import ticket %s: %w", t.ID, err)
		case changed:
			res.queued++
		default:
			res.unchanged++
		}
	}
}
