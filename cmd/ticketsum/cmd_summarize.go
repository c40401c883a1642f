package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

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
}

func newSummaryJSON(s *ticketsum.Summary) summaryJSON {
	return summaryJSON{
		TicketID: s.TicketID, Summary: s.Text, Status: string(s.Status), Model: s.Model,
		PromptVersion: s.PromptVersion, Usage: s.Usage, CostUSD: s.CostUSD,
		LatencyMS: s.Latency.Milliseconds(), Flags: s.Flags,
	}
}

// runSummarize handles `ticketsum summarize [FILE|-]`.
func runSummarize(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "summarize", "[FILE|-]")
	var cf commonFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per ticket")
	maxBytes := fs.Int64("max-ticket-bytes", 0, "largest ticket accepted (default 1 MiB)")
	api := fs.String("api", "", "Bedrock API: converse (default) or invoke (the model family's native body)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("want at most one FILE, got %d", fs.NArg())
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if *maxBytes < 0 {
		return usagef("--max-ticket-bytes must be positive")
	}
	if *maxBytes > 0 {
		cfg.MaxTicketBytes = *maxBytes
	}
	if *api != "" {
		cfg.setModelAPI(cfg.Model, *api)
		if err := cfg.validate(); err != nil {
			return err
		}
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
	pipe, err := w.pipeline(ctx, cfg.Model, nil)
	if err != nil {
		return err
	}
	dec := ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(cfg.MaxTicketBytes)})
	enc := json.NewEncoder(e.stdout)
	var bad, failed int
	for {
		t, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			fmt.Fprintf(e.stderr, "ticketsum summarize: %s\n", p.Error())
			bad++
			continue
		}
		if err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "%s", ticketsum.ErrorMessage(err))
		}
		s, err := pipe.Summarize(ctx, t)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(e.stderr, "ticketsum summarize: %s: ticket %q: %s\n", name, t.ID, oneLine(ticketsum.ErrorMessage(err)))
			if ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID {
				bad++
			} else {
				failed++
			}
			continue
		}
		if *asJSON {
			if err := enc.Encode(newSummaryJSON(s)); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(e.stdout, "%s [%s]\n%s\n\n", s.TicketID, s.Status, s.Text)
		}
	}
	switch {
	case failed > 0:
		return fmt.Errorf("%d ticket(s) failed: %w", failed, errRuntimeReported)
	case bad > 0:
		return errReported
	}
	return nil
}

// isTerminal reports whether r is a terminal, where a command waiting for
// input without saying so looks hung.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// errRuntimeReported means the command already printed its runtime failures
// and wants exit code 1.
var errRuntimeReported = errors.New("failures reported")

// openInput opens FILE, or stdin for "" and "-". It returns the name used
// in messages.
func openInput(e *env, path string) (io.Reader, string, func(), error) {
	if path == "" && isTerminal(e.stdin) {
		return nil, "", nil, usagef("want a ticket FILE, or - to read tickets typed or pasted on stdin")
	}
	if path == "" || path == "-" {
		return e.stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, usagef("%s: %v", path, unwrapPathError(err))
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		return nil, "", nil, usagef("%s: is a directory, want a ticket file", path)
	}
	return f, path, func() { f.Close() }, nil
}
