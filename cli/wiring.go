package cli

import (
	"context"
	"github.com/ticketsum/ticketsum/redislimit"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/telemetry"
)

// wiring builds the adapters a command needs from the config, and closes
// them. It is the one place where packages are put together.
type wiring struct {
	cfg     Config
	env     *env
	logger  *slog.Logger
	closers []func() error
	fleet   *redislimit.Limiter // limits.redis_url, opened once
	cat     *cost.Catalogue
	aws     *aws.Config
	gov     *app.Governance
	mods    *app.Models
	prom    *metrics.Metrics
	// onSaved, when set before the queue starts, sees every new summary
	// (the review sampler); onSavedToo too (worker --until-idle's count).
	onSaved, onSavedToo func(ctx context.Context, s *ticketsum.Summary)
	// rev is the review service, opened once by reviewService.
	rev      *review.Service
	revStore *review.SQLStore
	// reviewWeb, set by serve before the review service opens, adds the
	// web sign-in (CSRF, rater) to its config.
	reviewWeb func(*review.Config)
	// proc is the pipeline the queue's workers run, set by openWorker.
	proc *summarize.Pipeline
	// batchProc is proc for batch jobs: the same model, its calls bounded
	// to batchCalls at once over every running batch (set by openWorker).
	batchProc *summarize.Pipeline
	// writeBack copies a saved summary to the team's table, set by openWorker.
	writeBack func(ctx context.Context, ticketID string) error
	// dataDirReady is set once the data directory exists.
	dataDirReady bool
	// tel is OpenTelemetry, on when the OTEL_* variables ask for it.
	tel *telemetry.Telemetry
	// reconciled holds the roles whose principal principalFor applied,
	// under recMu (eval builds summarisers concurrently).
	reconciled map[access.Role]bool
	recMu      sync.Mutex
}

// dataFile resolves a file or directory flag whose default is name in the
// data directory (see Config.dataPath), creating the data directory when
// the default is taken.
func (w *wiring) dataFile(value, name string) (string, error) {
	if value == "" {
		if err := w.ensureDataDir(); err != nil {
			return "", err
		}
	}
	return w.cfg.dataPath(value, name), nil
}

// ensureDataDir creates the data directory, private to the owner (0700),
// before the first file is written in it.
func (w *wiring) ensureDataDir() error {
	if w.dataDirReady {
		return nil
	}
	if err := os.MkdirAll(w.cfg.DataDir, 0o700); err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "data directory %s: %v", w.cfg.DataDir, unwrapPathError(err))
	}
	// A data directory made by an earlier version, or by hand, is made
	// private too: it holds tickets, keys and logs.
	if err := os.Chmod(w.cfg.DataDir, 0o700); err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "data directory %s: %v", w.cfg.DataDir, unwrapPathError(err))
	}
	w.dataDirReady = true
	return nil
}

func newWiring(ctx context.Context, e *env, cfg Config) (*wiring, error) {
	w := &wiring{cfg: cfg, env: e, logger: newLogger(e.stderr, cfg.LogLevel)}
	e.dataDir, e.dbPath = cfg.DataDir, cfg.DB
	if err := w.startTelemetry(ctx); err != nil {
		return nil, err
	}
	return w, nil
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

// pipeline returns the one-ticket pipeline for model, saving into store
// when it is not nil.
func (w *wiring) pipeline(ctx context.Context, model string, store ticketsum.Store) (*summarize.Pipeline, error) {
	cfg, err := w.pipelineConfig(ctx, model, store)
	if err != nil {
		return nil, err
	}
	return summarize.New(cfg)
}

// pipelineConfig is the configuration of pipeline.
func (w *wiring) pipelineConfig(ctx context.Context, model string, store ticketsum.Store) (summarize.Config, error) {
	if err := w.requireListed(model); err != nil {
		return summarize.Config{}, err
	}
	s, err := w.summarizer(ctx, model, "")
	if err != nil {
		return summarize.Config{}, err
	}
	cfg := summarize.Config{Summarizer: w.tel.Summarizer(s), Store: store, Model: model, Principal: w.cfg.servicePrincipal(access.RoleWorker).Name, Logger: w.logger,
		OnSaved: func(ctx context.Context, s *ticketsum.Summary) {
			if w.onSaved != nil {
				w.onSaved(ctx, s)
			}
			if w.onSavedToo != nil {
				w.onSavedToo(ctx, s)
			}
		}}
	if model != "builtin" {
		gov, err := w.governance(ctx)
		if err != nil {
			return summarize.Config{}, err
		}
		cfg.Guard = gov.Guard
	} else {
		g, err := w.newGuard()
		if err != nil {
			return summarize.Config{}, err
		}
		cfg.Guard = g
	}
	return cfg, nil
}
