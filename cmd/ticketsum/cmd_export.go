package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

// runExport handles `ticketsum export finetune`: approved and edited
// summaries with their redacted tickets, as Bedrock fine-tuning JSONL.
func runExport(ctx context.Context, e *env, args []string) error {
	if _, rest, err := subcommand(args, "finetune"); err != nil {
		return err
	} else {
		args = rest
	}
	fs := newFlagSet(e, "export finetune", "")
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "finetune.jsonl", "file to write; - for stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	b, err := w.openBackend(ctx, nil)
	if err != nil {
		return err
	}
	st, err := review.NewSQLStore(b.db, b.dialect)
	if err != nil {
		return err
	}
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate review tables: %w", err)
	}
	g, err := w.newGuard()
	if err != nil {
		return err
	}
	fc := review.FinetuneConfig{
		Reviews: st, Tickets: b.store,
		Redact: func(ctx context.Context, t *ticketsum.Ticket, text string) (string, error) {
			res, err := g.CheckInput(ctx, g.NewSession(t), text)
			if err != nil {
				return "", err
			}
			return res.Text, nil
		},
		Check: func(ctx context.Context, t *ticketsum.Ticket, text string) ([]string, error) {
			var kinds []string
			for _, f := range g.Detect(g.NewSession(t), text) {
				kinds = append(kinds, f.Type)
			}
			return kinds, nil
		},
	}
	var stats *review.FinetuneStats
	write := func(wr io.Writer) error {
		var err error
		stats, err = review.ExportFinetune(ctx, wr, fc)
		return err
	}
	if *out == "-" {
		err = write(e.stdout)
	} else {
		err = writeFileWith(*out, write)
	}
	if err != nil {
		return err
	}
	for _, s := range stats.Skipped {
		fmt.Fprintf(e.stderr, "ticketsum export finetune: skipped ticket %q (summary %d): %s\n", s.TicketID, s.SummaryID, s.Reason)
	}
	fmt.Fprintf(e.stderr, "wrote %d record(s) to %s, skipped %d\n", stats.Written, *out, len(stats.Skipped))
	return nil
}
