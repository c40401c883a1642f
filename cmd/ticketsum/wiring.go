package main

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/summarize"
)

// wiring builds the adapters a command needs from the config, and closes
// them. It is the one place where packages are put together.
type wiring struct {
	cfg     Config
	env     *env
	logger  *slog.Logger
	closers []func() error
	// proc is the pipeline the queue's workers run, set by startWorker.
	proc *summarize.Pipeline
}

func newWiring(ctx context.Context, e *env, cfg Config) (*wiring, error) {
	return &wiring{cfg: cfg, env: e, logger: newLogger(e.stderr, cfg.LogLevel)}, nil
}

// Close releases everything the wiring opened, last opened first.
func (w *wiring) Close() error {
	var first error
	for i := len(w.closers) - 1; i >= 0; i-- {
		if err := w.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	w.closers = nil
	return first
}

func newLogger(out io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: l}))
}

// summarizer returns the Summarizer for a model name.
func (w *wiring) summarizer(ctx context.Context, model string) (ticketsum.Summarizer, error) {
	switch {
	case model == "builtin":
		return builtin.New(builtin.Config{})
	case strings.HasPrefix(model, "bedrock:"), strings.HasPrefix(model, "sagemaker:"), strings.HasPrefix(model, "openai:"):
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "model %s: provider not wired yet", model)
	}
	return nil, ticketsum.Errorf(ticketsum.EINVALID,
		"unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", model)
}

// pipeline returns the one-ticket pipeline for model, saving into store
// when it is not nil.
func (w *wiring) pipeline(ctx context.Context, model string, store ticketsum.Store) (*summarize.Pipeline, error) {
	s, err := w.summarizer(ctx, model)
	if err != nil {
		return nil, err
	}
	return summarize.New(summarize.Config{Summarizer: s, Store: store, Model: model, Logger: w.logger})
}
