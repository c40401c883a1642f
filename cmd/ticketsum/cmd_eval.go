package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/prompt"
)

// runEval handles `ticketsum eval` and `ticketsum eval history`.
func runEval(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "history" {
		return runEvalHistory(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "eval", "--dataset FILE")
	var cf commonFlags
	cf.register(fs)
	dataset := fs.String("dataset", "", "tickets (JSON/JSONL with references) or a dialog-format dataset (required)")
	models := fs.String("models", "", "comma-separated models to compare (default --model, or builtin)")
	prompts := fs.String("prompts", "", "comma-separated prompt versions for LLM models (default the configured one); available: "+strings.Join(prompt.Versions(), ", "))
	limit := fs.Int("limit", 0, "evaluate only the first N tickets (default all)")
	concurrency := fs.Int("concurrency", 4, "summaries made at once; the gateway's rate limits apply underneath")
	bars := fs.String("bars", "", `quality bars, e.g. "rougeL>=22, pii_leaks<=0, format_compliance>=100"; a miss exits 1`)
	requireAll := fs.Bool("require-all", false, "exit 1 when any configuration misses a bar (default: when none meets them all)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	htmlPath := fs.String("html", "", "write a self-contained HTML report to this file")
	cacheDir := fs.String("cache", ".ticketsum-eval-cache", "directory caching model answers, so a run can be re-scored without calls; empty disables")
	refresh := fs.Bool("refresh", false, "ignore cached answers (new answers are still cached)")
	judge := fs.String("judge", "", "model used as LLM judge (faithfulness, completeness, tone); default none")
	history := fs.String("history", "eval-history.jsonl", "file the run is appended to for 'eval history'; empty disables")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dataset == "" {
		return usagef("--dataset FILE is required")
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *limit < 0 || *concurrency < 1 {
		return usagef("--limit must not be negative and --concurrency must be at least 1")
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	barList, err := eval.ParseBars(*bars)
	if err != nil {
		return err
	}
	ds, err := eval.LoadDataset(*dataset, *limit)
	if err != nil {
		return err
	}
	for _, s := range ds.Skipped {
		fmt.Fprintf(e.stderr, "ticketsum eval: skipped: %s\n", s)
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	modelList := splitList(*models)
	if len(modelList) == 0 {
		modelList = []string{cfg.Model}
	}
	cands, err := w.candidates(ctx, modelList, splitList(*prompts))
	if err != nil {
		return err
	}
	rc := eval.Config{
		Candidates: cands, Concurrency: *concurrency, Refresh: *refresh, Bars: barList,
		PII: w.piiChecker(), Progress: eval.ProgressPrinter(e.stderr), Logger: w.logger,
	}
	if *cacheDir != "" {
		rc.Cache = eval.DirCache{Dir: *cacheDir}
	}
	if *judge != "" {
		g, err := w.gatewayFor(ctx, *judge)
		if err != nil {
			return err
		}
		jm, err := g.Model(*judge)
		if err != nil {
			return err
		}
		rc.Judge = &eval.Judge{Model: jm}
	}
	runner, err := eval.NewRunner(rc)
	if err != nil {
		return err
	}
	rep, err := runner.Run(ctx, ds)
	if err != nil {
		return err
	}
	if *asJSON {
		err = rep.WriteJSON(e.stdout)
	} else {
		err = rep.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	if *htmlPath != "" {
		if err := writeFileWith(*htmlPath, w.evalReportHTML(rep)); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", *htmlPath)
	}
	if *history != "" {
		store, err := eval.NewJSONLStore(*history)
		if err != nil {
			return err
		}
		settings := map[string]string{"models": strings.Join(modelList, ","), "prompts": *prompts,
			"limit": strconv.Itoa(*limit), "bars": *bars, "judge": *judge}
		if err := store.SaveRun(ctx, eval.NewRun(rep, settings)); err != nil {
			return fmt.Errorf("save eval history: %w", err)
		}
	}
	if code := rep.ExitCode(*requireAll); code != 0 {
		return fmt.Errorf("quality bars missed: %w", errRuntimeReported)
	}
	return nil
}

// candidates builds the models x prompt versions matrix.
func (w *wiring) candidates(ctx context.Context, models, prompts []string) ([]eval.Candidate, error) {
	var out []eval.Candidate
	for _, m := range models {
		if m == "builtin" {
			out = append(out, eval.Candidate{Model: m, PromptVersion: builtin.PromptVersion, New: func() (ticketsum.Summarizer, error) {
				return w.summarizer(ctx, m, "")
			}})
			continue
		}
		versions := prompts
		if len(versions) == 0 {
			tmpl, err := w.template(w.cfg.Prompt.Version)
			if err != nil {
				return nil, err
			}
			versions = []string{tmpl.Version()}
		}
		for _, v := range versions {
			// Build once now so that a bad model or prompt fails before the run.
			if _, err := w.summarizer(ctx, m, v); err != nil {
				return nil, err
			}
			out = append(out, eval.Candidate{Model: m, PromptVersion: v, New: func() (ticketsum.Summarizer, error) {
				return w.summarizer(ctx, m, v)
			}})
		}
	}
	return out, nil
}

// runEvalHistory handles `ticketsum eval history`.
func runEvalHistory(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval history", "")
	history := fs.String("history", "eval-history.jsonl", "the history file eval appends to")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := eval.NewJSONLStore(*history)
	if err != nil {
		return err
	}
	runs, err := store.ListRuns(ctx)
	if err != nil {
		return err
	}
	return eval.WriteHistory(e.stdout, runs)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// writeFileWith writes a file through a writer function, removing it when
// writing fails so that no half-written file is left.
func writeFileWith(path string, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: %v", path, unwrapPathError(err))
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
