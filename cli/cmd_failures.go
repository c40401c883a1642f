package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
)

// newFailuresCmd is `ticketsum failures` and its subcommands.
func newFailuresCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "failures",
		GroupID: groupSummaries,
		Short:   "List the tickets whose summary failed, and retry them",
		Long: `A ticket whose summary cannot be produced is failed, never dropped: it keeps the
error's code, its class, the reason (what went wrong and what fixes it, never
personal data), the attempts made and the time of the last one, until a later
attempt succeeds. The web UI shows the same (filter "Failed", a Retry button on
the ticket page, GET /api/tickets?state=failed).

Classes: retryable (the model stayed unavailable or throttled after every
attempt), config (fixable by configuration: access denied, a model not found,
not approved or not in the allow-list, a spent budget), bad_ticket (the ticket
cannot be summarised as it is) and policy (a guardrail blocked it). A failed
ticket is retried by itself when its thread changes; after fixing the
configuration, retry the config failures with "failures retry --class config".

A ticket whose attempt failed with a retryable error (the model unavailable,
timing out) is not failed yet: it waits for its next attempt, with River's
backoff, until the last of its attempts. "failures list --waiting" lists those
tickets with their attempts, when the next is due and the last error's code
and reason.`,
		Example: `  ticketsum failures list
  ticketsum failures list --waiting
  ticketsum failures list --class config --json
  ticketsum failures retry TS-1001 TS-1002
  ticketsum failures retry --all --class config`,
		Args: noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newFailuresListCmd(e), newFailuresRetryCmd(e))
	return cmd
}

// classFlag checks --class.
func classFlag(c string) (ticketsum.FailureClass, error) {
	fc := ticketsum.FailureClass(c)
	if c != "" && !fc.Valid() {
		return "", usagef("--class: want retryable, config, bad_ticket or policy, got %q", c)
	}
	return fc, nil
}

func newFailuresListCmd(e *env) *cobra.Command {
	var class string
	var limit int
	var asJSON, waiting bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List failed tickets, most recent failure first, or those waiting to retry",
		Long: `List failed tickets, most recent failure first: ticket, class, code, attempts,
time of the last attempt and the reason. --json prints a JSON array of
{ticket_id, content_hash, code, class, reason, attempts, last_attempt_at,
regeneration} ([] when none failed).

With --waiting, list instead the tickets waiting to retry after a retryable
error or snoozed for throttling, the next due first: ticket, attempts made of
the most allowed, throttling snoozes of worker.throttle_snoozes ("snoozed"
when the job waits out one now, which uses no attempt), when the next run is
due, and the last error's code and reason (the coded message the worker logs
as reason=, never the ticket's text or a model's output), whichever worker ran
it. --json then prints {ticket_id, attempts, max_attempts, next_attempt_at,
code, reason, batch, regeneration, snoozed, snoozes, max_snoozes}. A worker (ticketsum
worker, or serve) makes the next attempts.`,
		Example: `  ticketsum failures list
  ticketsum failures list --class policy --limit 20 --json
  ticketsum failures list --waiting`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fc, err := classFlag(class)
			if err != nil {
				return err
			}
			if limit < 1 {
				return usagef("--limit: want 1 or more, got %d", limit)
			}
			if waiting && fc != "" {
				return usagef("--class goes without --waiting: tickets waiting to retry have no class until they fail")
			}
			return e.withBackend(cmd, func(ctx context.Context, b *backend) error {
				if waiting {
					list, total, err := b.queue.ListWaiting(ctx, limit)
					if err != nil {
						return err
					}
					now := time.Now()
					if asJSON {
						return writeIndentedJSON(e.stdout, waitingJSON(list, now))
					}
					return printWaiting(e.stdout, list, total, now)
				}
				list, total, err := b.store.ListFailures(ctx, ticketsum.FailureFilter{Class: fc, Limit: limit})
				if err != nil {
					return err
				}
				if asJSON {
					return writeIndentedJSON(e.stdout, list)
				}
				return printFailures(e.stdout, list, total)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().StringVar(&class, "class", "", "only failures of this `CLASS`: retryable, config, bad_ticket or policy")
	cmd.Flags().IntVar(&limit, "limit", 1000, "list at most `N` failures")
	cmd.Flags().BoolVar(&waiting, "waiting", false, "list the tickets waiting to retry after a retryable error instead")
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}

// printWaiting writes the table of tickets waiting to retry, or says
// there are none.
func printWaiting(out io.Writer, list []queue.Waiting, total int, now time.Time) error {
	if total == 0 {
		_, err := fmt.Fprintln(out, "no tickets waiting to retry")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tATTEMPTS\tSNOOZES\tNEXT ATTEMPT\tCODE\tREASON")
	for _, w := range list {
		code, reason := string(w.Code), oneLine(w.Reason)
		if code == "" {
			code, reason = "-", "not recorded (see the worker's log, reason=)"
		}
		snoozes := fmt.Sprintf("%d/%d", w.Snoozes, w.MaxSnoozes)
		if w.Snoozed {
			snoozes += " snoozed"
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s (%s)\t%s\t%s\n", w.TicketID, w.Attempts, w.MaxAttempts, snoozes,
			w.NextAttemptAt.UTC().Format(time.DateTime), dueText(w.NextAttemptAt, now), code, reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(list) {
		_, err := fmt.Fprintf(out, "%d of %s shown (--limit)\n", len(list), plural(total, "waiting ticket"))
		return err
	}
	return nil
}

// printFailures writes the failure table, or says there are none.
func printFailures(out io.Writer, list []*ticketsum.Failure, total int) error {
	if total == 0 {
		_, err := fmt.Fprintln(out, "no failed tickets")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tCLASS\tCODE\tATTEMPTS\tLAST ATTEMPT\tREASON")
	for _, f := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", f.TicketID, f.Class, f.Code, f.Attempts,
			f.LastAttemptAt.UTC().Format(time.DateTime), oneLine(f.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(list) {
		_, err := fmt.Fprintf(out, "%d of %s shown (--limit)\n", len(list), plural(total, "failed ticket"))
		return err
	}
	return nil
}

func newFailuresRetryCmd(e *env) *cobra.Command {
	var class string
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "retry [--all|ID...]",
		Short: "Queue another attempt at failed tickets",
		Long: `Queue another attempt at each failed ticket named, or at every failed ticket
with --all (of one class with --class). The ticket stays failed until the
attempt succeeds; a worker (ticketsum worker, or serve) makes it. A failed
regeneration is retried as a regeneration while the thread is unchanged.
Naming a ticket that is not failed is an error (exit 2); the others are still
retried. --json prints a JSON array of {ticket_id, queued, regeneration}.`,
		Example: `  ticketsum failures retry TS-1001
  ticketsum failures retry --all --class config --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			fc, err := classFlag(class)
			if err != nil {
				return err
			}
			switch {
			case all && len(args) > 0:
				return usagef("give ticket ids or --all, not both")
			case !all && len(args) == 0:
				return usagef("name the failed tickets to retry, or pass --all")
			case !all && fc != "":
				return usagef("--class goes with --all")
			}
			return e.withBackend(cmd, func(ctx context.Context, b *backend) error {
				return e.retryFailures(ctx, b.queue, args, fc, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().BoolVar(&all, "all", false, "retry every failed ticket")
	cmd.Flags().StringVar(&class, "class", "", "with --all, only failures of this `CLASS`")
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}

// retryFailures retries the named tickets, or all of class fc when ids is
// empty, and reports each.
func (e *env) retryFailures(ctx context.Context, q queue.Runner, ids []string, fc ticketsum.FailureClass, asJSON bool) error {
	done := []queue.Retried{}
	var bad []string
	if len(ids) == 0 {
		var err error
		if done, err = q.RetryAll(ctx, fc); err != nil {
			return err
		}
	}
	for _, id := range ids {
		r, err := q.Retry(ctx, id)
		if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
			bad = append(bad, id)
			continue
		}
		if err != nil {
			return err
		}
		done = append(done, r)
	}
	if asJSON {
		if err := writeIndentedJSON(e.stdout, done); err != nil {
			return err
		}
	} else {
		for _, r := range done {
			what := "queued"
			if !r.Queued {
				what = "already queued"
			}
			if r.Regeneration > 0 {
				what += fmt.Sprintf(" (regeneration %d)", r.Regeneration)
			}
			fmt.Fprintf(e.stdout, "%s: %s\n", r.TicketID, what)
		}
		fmt.Fprintf(e.stderr, "%s retried; a worker makes the summaries (ticketsum worker, or serve)\n", plural(len(done), "ticket"))
	}
	if len(bad) > 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "not failed (unknown, or summarised since): %s", strings.Join(bad, ", "))
	}
	return nil
}

// withBackend runs fn with the configured store and its queue (insert
// only: nothing is worked here). The store must exist: a store with no
// tickets has no failures, so none is created (the `ticketsum init` error).
func (e *env) withBackend(cmd *cobra.Command, fn func(ctx context.Context, b *backend) error) error {
	cfg, err := e.load(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.requireStore(ctx); err != nil {
		return err
	}
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return err
	}
	return fn(ctx, b)
}

// writeIndentedJSON writes v as indented JSON.
func writeIndentedJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// dueText says when an attempt due at next is, seen at now: "in 1m16s",
// "due now", or "overdue by 2m3s" (no worker has picked it up yet: one is
// not running, or all are busy).
func dueText(next, now time.Time) string {
	switch d := next.Sub(now).Round(time.Second); {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return "overdue by " + (-d).String()
	}
	return "due now"
}

// waitingRow is a waiting ticket as --json gives it: the queue's fields
// and Due, the table's text for when its next attempt is.
type waitingRow struct {
	queue.Waiting
	Due string `json:"due"`
}

// waitingJSON returns list with each ticket's Due, as seen at now.
func waitingJSON(list []queue.Waiting, now time.Time) []waitingRow {
	rows := make([]waitingRow, len(list))
	for i, w := range list {
		rows[i] = waitingRow{Waiting: w, Due: dueText(w.NextAttemptAt, now)}
	}
	return rows
}
