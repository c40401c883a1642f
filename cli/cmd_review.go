package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ctltext"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/web"
)

// newReviewCmd is `ticketsum review`: blind rating tasks and the review
// queue, from the command line (the same as the web UI's /review/ pages).
func newReviewCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "review",
		GroupID: groupQuality,
		Short:   "Blind rating tasks from an eval run, and the production review queue",
		Long: `Start a blind comparison from a stored eval run (the product manager rates the
tasks in the web UI at /review/ under "ticketsum serve"), and list the
production summaries sampled into the review queue. See docs/review.md.`,
		Example: `  ticketsum review tasks create --from-eval latest --n 50
  ticketsum review queue --json`,
		Args: noArgs,
	}
	e.groupOnly(cmd)
	usesGlobals(cmd, gConfig, gDataDir, gDB, gLogLevel)
	tasks := &cobra.Command{
		Use:   "tasks",
		Short: "Blind rating tasks",
		Long: `Blind rating tasks: each shows one ticket with the summaries of two or three
configurations in random order, names hidden. "create" makes them from a
stored eval run; raters rate them at /review/ (ticketsum serve).`,
		Example: `  ticketsum review tasks create --from-eval latest --n 50`,
		Args:    noArgs,
	}
	e.groupOnly(tasks)
	usesGlobals(tasks, gConfig, gDataDir, gDB, gLogLevel)
	tasks.AddCommand(newReviewTasksCreateCmd(e))
	cmd.AddCommand(tasks, newReviewQueueCmd(e))
	return cmd
}

// newReviewTasksCreateCmd is `ticketsum review tasks create`.
func newReviewTasksCreateCmd(e *env) *cobra.Command {
	var o struct {
		fromEval, configs string
		n                 int
		asJSON            bool
	}
	cmd := &cobra.Command{
		Use:   "create --from-eval RUN|latest",
		Short: "Make blind rating tasks from the summaries of a stored eval run",
		Long: `Make blind rating tasks from a stored eval run: N tickets sampled among those
every chosen configuration summarised, each showing the configurations'
summaries in random order with their names hidden. Rate them at /review/
(ticketsum serve); the results join the eval report and history. Tickets that
already have a task for the same configurations are skipped. When no task can
be made it says why: exit 1 for no eval run or every ticket already having a
task, exit 2 for a run of one configuration or a bad --configs.`,
		Example: `  ticketsum review tasks create --from-eval latest
  ticketsum review tasks create --from-eval 20261202T101500Z-1a2b3c4d \
    --configs bedrock:amazon.nova-lite-v1:0/v3,builtin/builtin-v3 --n 20 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.fromEval == "" {
				return usagef("--from-eval RUN|latest is required")
			}
			if o.n < 1 || o.n > 10000 {
				return usagef("--n: must be between 1 and 10000, got %d", o.n)
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.withReview(cmd.Context(), cfg, false, func(ctx context.Context, svc *review.Service) error {
				ts, err := svc.TasksFromEval(ctx, review.EvalTasksRequest{Run: o.fromEval, Configs: splitList(o.configs), N: o.n})
				if err != nil {
					return err
				}
				return e.printTasks(ts, o.asJSON)
			})
		},
	}
	usesGlobals(cmd, gConfig, gDataDir, gDB, gLogLevel)
	f := cmd.Flags()
	f.StringVar(&o.fromEval, "from-eval", "", "the eval `RUN` id (see \"ticketsum eval history\"), or latest (required)")
	f.StringVar(&o.configs, "configs", "", "comma-separated `CONFIGS` to compare, two or three, as MODEL/PROMPT in the eval table (default every configuration of a run that has two or three)")
	f.IntVar(&o.n, "n", 50, "`N` tickets to rate")
	f.BoolVar(&o.asJSON, "json", false, "print the tasks as a JSON array")
	return cmd
}

// printTasks prints made tasks: a JSON array, or a summary and the page
// to rate them on.
func (e *env) printTasks(ts []*review.Task, asJSON bool) error {
	if asJSON {
		if ts == nil {
			ts = []*review.Task{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ts)
	}
	source, configs := "", []string{}
	if len(ts) > 0 {
		source = ts[0].Source
		for _, c := range ts[0].Candidates {
			configs = append(configs, c.Config)
		}
	}
	fmt.Fprintf(e.stdout, "created %s from %s comparing %s\n", plural(len(ts), "rating task"), source, strings.Join(configs, ", "))
	fmt.Fprintf(e.stdout, "next: rate them blind at http://127.0.0.1:8080/review/ (ticketsum serve); the results join the eval report\n")
	return nil
}

// newReviewQueueCmd is `ticketsum review queue`.
func newReviewQueueCmd(e *env) *cobra.Command {
	var o struct {
		state  string
		limit  int
		asJSON bool
	}
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "List production summaries sampled or flagged for review",
		Long: `List the review queue: production summaries sampled at server.review_share
(default 5%) by every process that saves summaries (worker, serve, Lambda),
every summary the quality checks flagged (reason "flagged: " and its flags,
whatever the share), and those a reviewer asked for, oldest first. Reviewers approve, edit or
reject them at /review/ (ticketsum serve).`,
		Example: `  ticketsum review queue
  ticketsum review queue --json --state all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := queueState(o.state)
			if err != nil {
				return err
			}
			if o.limit < 1 || o.limit > 10000 {
				return usagef("--limit: must be between 1 and 10000, got %d", o.limit)
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.withReview(cmd.Context(), cfg, true, func(ctx context.Context, svc *review.Service) error {
				items, total, err := svc.Queue(ctx, review.QueueFilter{State: st, Limit: o.limit})
				if err != nil {
					return err
				}
				return e.printQueue(items, total, o.asJSON)
			})
		},
	}
	usesGlobals(cmd, gConfig, gDataDir, gDB, gLogLevel)
	f := cmd.Flags()
	f.StringVar(&o.state, "state", "pending", "`STATE` to list: pending, approved, edited, rejected or all")
	f.IntVar(&o.limit, "limit", 50, "list at most `N` items")
	f.BoolVar(&o.asJSON, "json", false, "print the items as a JSON array")
	return cmd
}

// queueState parses --state.
func queueState(s string) (review.State, error) {
	switch s {
	case "all":
		return "", nil
	case string(review.Pending), string(review.Approved), string(review.Edited), string(review.Rejected):
		return review.State(s), nil
	}
	return "", usagef("--state: want pending, approved, edited, rejected or all, got %q", s)
}

// printQueue prints queue items as a JSON array or a table.
func (e *env) printQueue(items []*review.QueueItem, total int, asJSON bool) error {
	if asJSON {
		if items == nil {
			items = []*review.QueueItem{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "the review queue is empty: a worker samples new summaries into it at server.review_share (default 5%)")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tMODEL\tSTATE\tREASON\tSAMPLED\tSUMMARY")
	for _, q := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", q.TicketID, q.Model, q.State, q.Reason,
			q.SampledAt.UTC().Format("2006-01-02 15:04"), truncateWords(q.Text, 12))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d of %d shown; review them at http://127.0.0.1:8080/review/ (ticketsum serve)\n", len(items), total)
	return nil
}

// truncateWords returns the first n words of s, with "..." when cut.
func truncateWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:n], " ") + " ..."
}

// withReview opens the store and the review service on it for fn. With
// existing (a command that only reads), a missing store is not created:
// the `ticketsum init` error instead.
func (e *env) withReview(ctx context.Context, cfg Config, existing bool, fn func(context.Context, *review.Service) error) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	if existing {
		if err := w.requireStore(ctx); err != nil {
			return err
		}
	}
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return err
	}
	svc, err := w.reviewService(ctx, b)
	if err != nil {
		return err
	}
	return fn(ctx, svc)
}

// reviewService opens the review service (blind ratings, the review queue,
// regenerate) on the store's database once.
func (w *wiring) reviewService(ctx context.Context, b *backend) (*review.Service, error) {
	if w.rev != nil {
		return w.rev, nil
	}
	st, err := review.NewSQLStore(b.db, b.dialect)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate review tables: %w", err)
	}
	rc := review.Config{
		Store: st, Tickets: b.store, SampleShare: max(w.cfg.Server.ReviewShare, 0),
		// Through the queue: a new summary even when the thread is
		// unchanged, recorded as a regeneration, made by a worker.
		Regenerate: func(ctx context.Context, id string) error {
			_, _, err := b.queue.Regenerate(ctx, id)
			return err
		},
		NoSampling: w.cfg.Server.ReviewShare <= 0, Logger: w.logger, Nav: serveNav(),
		CheckEdit: w.editCheck(),
	}
	if w.reviewWeb != nil {
		w.reviewWeb(&rc)
	}
	svc, err := review.New(rc)
	if err != nil {
		return nil, err
	}
	w.rev, w.revStore = svc, st
	return svc, nil
}

// editCheck vets a reviewer's edited summary as a model's is vetted: no
// personal data the guard finds (with the ticket's people known), and
// nothing a screen would not show. The guard is built on the first edit.
func (w *wiring) editCheck() func(ctx context.Context, t *ticketsum.Ticket, text string) error {
	checker := sync.OnceValues(func() (func(context.Context, *ticketsum.Ticket, string) ([]string, error), error) {
		_, check, err := w.redactors()
		return check, err
	})
	return func(ctx context.Context, t *ticketsum.Ticket, text string) error {
		if ctltext.Strip(text) != text {
			return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary has a control or invisible character (rule: summaries are plain text): type it again without pasting")
		}
		check, err := checker()
		if err != nil {
			return err
		}
		kinds, err := check(ctx, t, text)
		if err != nil {
			return err
		}
		if len(kinds) > 0 {
			slices.Sort(kinds)
			return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary holds personal data (%s) (rule: no personal data in summaries): write \"the customer\", \"the agent\" or \"an email address\" instead",
				strings.Join(slices.Compact(kinds), ", "))
		}
		return nil
	}
}

// sampleForReview makes every summary this process saves a candidate for
// the review queue, at server.review_share. Call it before the queue
// starts.
func (w *wiring) sampleForReview(ctx context.Context, b *backend) error {
	svc, err := w.reviewService(ctx, b)
	if err != nil {
		return err
	}
	w.onSaved = svc.OnSaved
	return nil
}

// serveNav is the header's links beside Tickets on every served page.
func serveNav() []web.Link {
	return []web.Link{{Label: "Review", Path: "/review/"}, {Label: "Evaluations", Path: "/evals"}, {Label: "Governance", Path: "/governance"}}
}
