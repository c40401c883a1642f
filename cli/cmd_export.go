package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

// newExportCmd is `ticketsum export` and its subcommands.
func newExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "export",
		GroupID: groupQuality,
		Short:   "Export reviewed summaries as datasets",
		Long:    `Export data that ticketsum has gathered, for use elsewhere.`,
		Example: `  ticketsum export finetune --out finetune.jsonl`,
		Args:    noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newExportFinetuneCmd(e))
	return cmd
}

// newExportFinetuneCmd is `ticketsum export finetune`.
func newExportFinetuneCmd(e *env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "finetune",
		Short: "Write approved and edited summaries as Bedrock fine-tuning JSONL",
		Long: `Write every summary a reviewer approved or edited, with its ticket redacted by
the guard, as Bedrock fine-tuning JSON Lines (system, user, assistant), for when
prompting plateaus. A record whose redacted ticket still holds personal data is
skipped and reported. With no record to write, no file is written and the exit
code is 1. The file is private to its owner (0600).`,
		Example: `  ticketsum export finetune
  ticketsum export finetune --out - | aws s3 cp - s3://bucket/finetune.jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.exportFinetune(cmd.Context(), cfg, out)
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().StringVarP(&out, "out", "o", "", "`FILE` to write, or - for stdout (default finetune.jsonl in the data directory)")
	return cmd
}

// errNothingToExport stops an export that would write no record.
var errNothingToExport = errors.New("nothing to export")

// exportFinetune writes the fine-tuning dataset to out.
func (e *env) exportFinetune(ctx context.Context, cfg Config, out string) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	// A missing store is not created, nor the data directory for the
	// output: it would have nothing to export (the `ticketsum init` error).
	if err := w.requireStore(ctx); err != nil {
		return err
	}
	if out, err = w.dataFile(out, "finetune.jsonl"); err != nil {
		return err
	}
	fc, err := w.finetuneConfig(ctx)
	if err != nil {
		return err
	}
	var stats *review.FinetuneStats
	write := func(wr io.Writer) error {
		var err error
		if stats, err = review.ExportFinetune(ctx, wr, fc); err == nil && stats.Written == 0 {
			return errNothingToExport
		}
		return err
	}
	if out == "-" {
		err = write(e.stdout)
	} else {
		err = writeFileWith(out, write)
	}
	if stats != nil {
		for _, s := range stats.Skipped {
			fmt.Fprintf(e.stderr, "ticketsum export finetune: skipped ticket %q (summary %d): %s\n", s.TicketID, s.SummaryID, s.Reason)
		}
	}
	if errors.Is(err, errNothingToExport) {
		reviewed := len(stats.Skipped)
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "nothing to export: %s (approve or edit summaries in the review queue first); no file written",
			exportable(reviewed))
	}
	if err != nil {
		return err
	}
	// The records went to stdout with -, so the count goes beside them.
	to := e.stdout
	if out == "-" {
		to = e.stderr
	}
	fmt.Fprintf(to, "wrote %s to %s, skipped %d\n", plural(stats.Written, "record"), out, len(stats.Skipped))
	return nil
}

// finetuneConfig opens the store and the review tables for an export, with
// the guard's redaction and check.
func (w *wiring) finetuneConfig(ctx context.Context) (review.FinetuneConfig, error) {
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return review.FinetuneConfig{}, err
	}
	st, err := review.NewSQLStore(b.db, b.dialect)
	if err != nil {
		return review.FinetuneConfig{}, err
	}
	if err := st.Migrate(ctx); err != nil {
		return review.FinetuneConfig{}, fmt.Errorf("migrate review tables: %w", err)
	}
	fc := review.FinetuneConfig{Reviews: st, Tickets: b.store}
	if fc.Redact, fc.Check, err = w.redactors(); err != nil {
		return review.FinetuneConfig{}, err
	}
	return fc, nil
}

// redactors are the guard's redaction of a ticket's text and the check of
// what personal data is left, for exports that leave the process.
func (w *wiring) redactors() (redact func(ctx context.Context, t *ticketsum.Ticket, text string) (string, error),
	check func(ctx context.Context, t *ticketsum.Ticket, text string) ([]string, error), err error) {
	g, err := w.newGuard()
	if err != nil {
		return nil, nil, err
	}
	redact = func(ctx context.Context, t *ticketsum.Ticket, text string) (string, error) {
		res, err := g.CheckInput(ctx, g.NewSession(t), text)
		if err != nil {
			return "", err
		}
		return res.Text, nil
	}
	check = func(ctx context.Context, t *ticketsum.Ticket, text string) ([]string, error) {
		var kinds []string
		for _, f := range g.Detect(g.NewSession(t), text) {
			kinds = append(kinds, f.Type)
		}
		return kinds, nil
	}
	return redact, check, nil
}

// exportable says how many reviewed summaries there were when none could
// be exported.
func exportable(skipped int) string {
	if skipped == 0 {
		return "0 reviewed summaries"
	}
	return fmt.Sprintf("%s, every one skipped", plural(skipped, "reviewed summary"))
}
