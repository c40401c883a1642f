package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// summaryJSON is the --json output of one summary.
type summaryJSON struct {
	TicketID      string          `json:"ticket_id"`
	Summary       string          `json:"summary"`
	Status        string          `json:"status"`
	Model         string          `json:"model"`
	PromptVersion string          `json:"prompt_version"`
	Usage         ticketsum.Usage `json:"usage"`
	CostUSD       float64         `json:"cost_usd"`
	LatencyMS     int64           `json:"latency_ms"`
	Flags         []string        `json:"flags,omitempty"`
	// StatusInferred and Truncated say the model's answer was kept and
	// fixed locally (see ticketsum.Summary).
	StatusInferred bool `json:"status_inferred,omitempty"`
	Truncated      bool `json:"truncated,omitempty"`
}

func newSummaryJSON(s *ticketsum.Summary) summaryJSON {
	return summaryJSON{
		TicketID: s.TicketID, Summary: s.Text, Status: string(s.Status), Model: s.Model,
		PromptVersion: s.PromptVersion, Usage: s.Usage, CostUSD: s.CostUSD,
		LatencyMS: s.Latency.Milliseconds(), Flags: s.Flags,
		StatusInferred: s.StatusInferred, Truncated: s.Truncated,
	}
}

// newSummarizeCmd is `ticketsum summarize [FILE|-]`.
func newSummarizeCmd(e *env) *cobra.Command {
	var o struct {
		model, api string
		asJSON     bool
		maxBytes   int64
		parallel   int
		stopAfter  int
	}
	cmd := &cobra.Command{
		Use:     "summarize [FILE|-]",
		GroupID: groupSummaries,
		Short:   "Print the summary of each ticket in FILE or on stdin",
		Long: `Summarise each ticket of FILE (JSON Lines, a JSON array or pretty-printed objects;
see docs/ticket-format.md), or of stdin with - or when stdin is not a terminal,
and print the summaries in input order. Nothing is stored. Tickets are
summarised on every core (--parallel) and read as they are summarised, so a
file of any size is summarised in bounded memory.

A bad record or an invalid ticket is reported on stderr with its line and the
rest are still summarised; the exit code is then 2. A ticket the model could
not summarise (the model or a dependency failed, a setting must change, a
guardrail blocked it) is reported and makes the exit code 1. When
--stop-after tickets in a row fail for the same reason class (a model that is
down or refuses every call), summarize stops: the calls under way finish and
are printed, the rest of the input is not attempted, and the exit code is 1. A model the
catalogue does not list is bad input (exit 2, before any ticket is read), as
it is for every command that calls or approves a model.`,
		Example: `  # Built-in offline model
  ticketsum summarize tickets.jsonl

  # One JSON object per ticket, from stdin
  cat tickets.jsonl | ticketsum summarize --json -

  # A Bedrock model with the family's native request body
  ticketsum summarize --model bedrock:amazon.nova-lite-v1:0 --api invoke tickets.jsonl`,
		Args: argsOf(0, 1, "[FILE|-]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.load(cmd, modelBind(&o.model),
				bind{"max-ticket-bytes", "max_ticket_bytes", func(c *Config) { c.MaxTicketBytes = o.maxBytes }},
				bind{"api", "models.{model}.api", func(c *Config) { c.setModelAPI(c.Model, o.api) }})
			if err != nil {
				return err
			}
			if o.parallel < 0 || o.parallel > 256 {
				return usagef("--parallel: must be between 0 (one per core) and 256, got %d", o.parallel)
			}
			if o.stopAfter < 0 {
				return usagef("--stop-after: must be 0 (never stop) or more, got %d", o.stopAfter)
			}
			if o.parallel == 0 {
				o.parallel = runtime.GOMAXPROCS(0)
			}
			return e.summarize(cmd.Context(), cfg, args, o.asJSON, o.parallel, o.stopAfter)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	modelFlag(f, &o.model)
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object per ticket (ticket_id, summary, status, model, prompt_version, usage, cost_usd, latency_ms, flags, status_inferred, truncated)")
	f.Int64Var(&o.maxBytes, "max-ticket-bytes", 0, "largest ticket accepted, in `BYTES` (default max_ticket_bytes in the config, 1048576)")
	f.IntVar(&o.parallel, "parallel", 0, "`N` tickets summarised at once (0: one per core). Output stays in input order; at most 4N tickets are held in memory")
	f.IntVar(&o.stopAfter, "stop-after", 5, "stop once `N` tickets in a row failed for the same reason class (retryable or config: a model down, or refusing every call); 0 never stops")
	f.StringVar(&o.api, "api", "", "Bedrock `API`: converse, or invoke for the model family's native body (default models.<model>.api in the config, converse)")
	return cmd
}

// summarize summarises the tickets of the input named by args.
// parallel tickets are summarised at once. After stopAfter tickets in a row
// fail with the same retryable or config class (0: never), no further
// ticket is started.
func (e *env) summarize(ctx context.Context, cfg Config, args []string, asJSON bool, parallel, stopAfter int) error {
	in, name, closeIn, err := openInput(e, firstArg(args))
	if err != nil {
		return err
	}
	defer closeIn()

	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	pipe, err := w.pipeline(ctx, cfg.Model, nil)
	if err != nil {
		return err
	}
	dec := ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(cfg.MaxTicketBytes), LimitHint: ticketLimitHint(true)})
	enc := json.NewEncoder(e.stdout)
	var bad, failed int
	// The run of failures in a row, in input order, and its class; once it
	// reaches stopAfter, stopped keeps the reader and the workers from
	// starting more tickets (those started finish and are printed).
	var inARow int
	var rowClass ticketsum.FailureClass
	var stopped atomic.Bool
	// Records are read in order, summarised on parallel goroutines and
	// printed in input order; at most 4 per goroutine are held at once.
	done := false
	next := func() (summarizeItem, bool, error) {
		if done || stopped.Load() {
			return summarizeItem{}, false, nil
		}
		t, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return summarizeItem{}, false, nil
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			return summarizeItem{problem: p}, true, nil
		}
		if err != nil {
			done = true // the input cannot be read on: report it in its place
			return summarizeItem{fatal: ticketsum.Errorf(ticketsum.EINVALID, "%s", ticketsum.ErrorMessage(err))}, true, nil
		}
		return summarizeItem{ticket: t}, true, nil
	}
	work := func(ctx context.Context, it summarizeItem) summarizeItem {
		switch {
		case it.ticket != nil && stopped.Load():
			it.skipped = true
		case it.ticket != nil:
			it.summary, it.err = pipe.Summarize(ctx, it.ticket)
		}
		return it
	}
	emit := func(it summarizeItem) error {
		switch {
		case it.fatal != nil:
			return it.fatal
		case it.skipped:
			return nil
		case it.problem != nil:
			fmt.Fprintf(e.stderr, "ticketsum summarize: %s\n", it.problem.Error())
			bad++
			return nil
		case it.err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(e.stderr, "ticketsum summarize: %s: ticket %q: %s\n", name, it.ticket.ID, oneLine(ticketsum.ErrorMessage(it.err)))
			// Only the ticket's own fault is bad input (exit 2); a model or
			// runtime failure, a configuration to fix or a guardrail block
			// is a failure (exit 1).
			class := ticketsum.ClassOf(it.err)
			if class == ticketsum.ClassBadTicket {
				bad++
			} else {
				failed++
			}
			switch {
			case class != ticketsum.ClassRetryable && class != ticketsum.ClassConfig:
				inARow = 0
			case class == rowClass:
				inARow++
			default:
				inARow, rowClass = 1, class
			}
			if stopAfter > 0 && inARow == stopAfter {
				stopped.Store(true)
			}
			return nil
		}
		inARow = 0
		if asJSON {
			return enc.Encode(newSummaryJSON(it.summary))
		}
		_, err := fmt.Fprintf(e.stdout, "%s [%s]\n%s\n\n", it.summary.TicketID, it.summary.Status, it.summary.Text)
		return err
	}
	if err := runOrdered(ctx, parallel, 4*parallel, next, work, emit); err != nil {
		return err
	}
	switch {
	case stopped.Load():
		fmt.Fprintf(e.stderr, "ticketsum summarize: stopped after %d tickets in a row failed (%s; the last reason is above), so the rest of the input was not attempted: fix the cause and run summarize again (it stores nothing), or pass --stop-after 0 to try every ticket\n",
			stopAfter, rowClass)
		return fmt.Errorf("stopped after %d failed tickets: %w", stopAfter, errRuntimeReported)
	case failed > 0:
		return fmt.Errorf("%s failed: %w", plural(failed, "ticket"), errRuntimeReported)
	case bad > 0:
		return errReported
	}
	return nil
}

// summarizeItem is one record of summarize's input on its way through the
// workers: a ticket and its summary or error, a bad record, or an error
// that ends the input.
type summarizeItem struct {
	ticket  *ticketsum.Ticket
	problem *ticketfile.Problem
	fatal   error
	summary *ticketsum.Summary
	err     error
	skipped bool // not started: summarize had stopped
}

// firstArg returns args[0], or "" without arguments.
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
