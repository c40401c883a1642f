package app

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/guard"
)

// GovernanceConfig configures the wrappers every model call passes through.
type GovernanceConfig struct {
	// DB holds the access_ and audit_ tables (created when missing).
	// Required.
	DB *sql.DB
	// Dialect is DB's dialect. Required.
	Dialect access.Dialect
	// Guard redacts input and checks output. Required.
	Guard *guard.Guard
	// Log receives the encrypted invocation record of every attempt.
	// Default nil: no invocation log (the trail still records every call).
	Log audit.Sink
	// Spool keeps the records that Log or the trail refuse, to write them
	// again (Run, Flush), so that a log failure never withholds or repeats
	// a paid call. Default nil: such a call fails (audit.ErrNotRecorded).
	Spool *audit.Spool
	// OmitBodies keeps prompt and answer text out of the invocation log.
	// Default false (the text is kept, redacted by Guard).
	OmitBodies bool
	// SigningKey or SigningKeyFile signs the trail's digests; see
	// audit.TrailConfig. One is required unless NoSigning is set.
	SigningKey     ed25519.PrivateKey
	SigningKeyFile string
	// NoSigning, PinnedKey and Anchor are passed to audit.TrailConfig:
	// a process without the signing key, the pinned key fingerprint, the
	// external copy of the digests. Default: sign, trust the key file, no
	// anchor.
	NoSigning bool
	PinnedKey string
	Anchor    audit.Anchor
	// DigestEvery is passed to audit.TrailConfig. Default: the trail's.
	DigestEvery int
	// TrailCommit is passed to audit.TrailConfig.Commit
	// (governance.trail_commit). Default audit.CommitFlushed.
	TrailCommit audit.TrailCommit
	// Catalogue prices the budget reservation. Default: the embedded one.
	Catalogue *cost.Catalogue
	// Limiter applies principals' requests-per-minute limits. Default: per
	// process (access.LocalLimiter); a redislimit.Limiter shares them
	// across the fleet.
	Limiter access.RateLimiter
	// Logger receives operational messages. Default: discard.
	Logger *slog.Logger
}

// Governance holds the open governance components and the gateway
// wrappers built from them.
type Governance struct {
	Guard  *guard.Guard
	Access *access.Service
	Trail  *audit.Trail
	// Outer and Inner go into Config.Outer and Config.Inner, in the one
	// order every call takes (docs/governance.md):
	//
	//	outer: audit trail -> access (principal, approved model, budget) -> guard
	//	inner (per attempt, fallbacks included): access authorisation -> invocation log
	Outer, Inner []gateway.Middleware

	stop    context.CancelFunc
	stopped chan struct{}
	log     audit.Sink
	spool   *audit.Spool
}

// Close stops the reservation sweep and flushes (Flush), waiting at most
// until ctx ends.
func (g *Governance) Close(ctx context.Context) error {
	g.stop()
	<-g.stopped
	return g.Flush(ctx)
}

// Flush writes what the governance components hold: the budget
// settlements still queued, the invocation log's batch (a failed upload
// goes to the spool), the spooled records, and the trail's pending
// appends, signed when this process holds the signing key (else left to
// a signer). Call it before a Lambda invocation returns, and before a
// process exits (Close does).
func (g *Governance) Flush(ctx context.Context) error {
	var errs []error
	if err := g.Access.Flush(ctx); err != nil {
		errs = append(errs, err)
	}
	if g.log != nil {
		if err := g.log.Flush(ctx); err != nil {
			errs = append(errs, fmt.Errorf("flush invocation log: %w", err))
		}
	}
	if g.spool != nil && g.spool.Stats().Pending > 0 {
		if err := g.spool.Replay(ctx, g.destinations()); err != nil {
			errs = append(errs, err)
		}
	}
	if err := g.Trail.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("sign audit trail: %w", err))
	}
	return errors.Join(errs...)
}

// destinations are where the spool writes its records again.
func (g *Governance) destinations() audit.Destinations {
	return audit.Destinations{Log: g.log, Trail: g.Trail}
}

// RunSpool writes spooled records again every retry interval until ctx
// ends (then once more). Start it in its own goroutine in a long-running
// process; it returns at once without a spool.
func (g *Governance) RunSpool(ctx context.Context) error {
	if g.spool == nil {
		return nil
	}
	return g.spool.Run(ctx, g.destinations())
}

// NewGovernance migrates the governance tables and builds the wrappers. It
// starts the access service's sweep of budget reservations left by dead
// processes (settled against their recorded calls), which runs until ctx
// ends or Close. It returns EINVALID for a bad config.
func NewGovernance(ctx context.Context, cfg GovernanceConfig) (*Governance, error) {
	switch {
	case cfg.DB == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "governance: DB is required")
	case cfg.Guard == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "governance: Guard is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Catalogue == nil {
		cat, err := cost.Default()
		if err != nil {
			return nil, err
		}
		cfg.Catalogue = cat
	}
	trail, err := audit.NewTrail(audit.TrailConfig{DB: cfg.DB, Dialect: audit.Dialect(cfg.Dialect), SigningKey: cfg.SigningKey,
		SigningKeyFile: cfg.SigningKeyFile, NoSigning: cfg.NoSigning, PinnedKey: cfg.PinnedKey, Anchor: cfg.Anchor,
		DigestEvery: cfg.DigestEvery, Commit: cfg.TrailCommit, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if err := trail.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate audit trail: %w", err)
	}
	store, err := access.NewSQLStore(cfg.DB, cfg.Dialect)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate access tables: %w", err)
	}
	svc, err := access.NewService(access.Config{Store: store, Recorder: trail, Logger: cfg.Logger,
		TrailCommits: true, Limiter: cfg.Limiter})
	if err != nil {
		return nil, err
	}
	trail.Attach(svc) // a call's budget charge commits with its trail record
	trailMW, err := audit.Middleware(audit.MiddlewareConfig{Trail: trail, Spool: cfg.Spool, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	cat := cfg.Catalogue
	estimate := func(model string, req *ticketsum.ModelRequest) (float64, error) {
		maxOut := req.MaxTokens
		if maxOut == 0 {
			maxOut = 512
		}
		return cat.Estimate(model, gateway.EstimateTokens(req), maxOut)
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		select { // a command's ctx ending stops the sweep too
		case <-ctx.Done():
			stop()
		case <-runCtx.Done():
		}
	}()
	go svc.Run(runCtx)
	g := &Governance{Guard: cfg.Guard, Access: svc, Trail: trail, stop: stop, stopped: done, log: cfg.Log, spool: cfg.Spool,
		Outer: []gateway.Middleware{trailMW, access.Middleware(svc, estimate), cfg.Guard.Middleware()},
		Inner: []gateway.Middleware{access.AuthorizeMiddleware(svc)},
	}
	if cfg.Log == nil {
		g.Inner = append(g.Inner, audit.Meter())
		return g, nil
	}
	logMW, err := audit.Middleware(audit.MiddlewareConfig{Log: cfg.Log, Spool: cfg.Spool, RedactContext: cfg.Guard.RedactContext,
		OmitBodies: cfg.OmitBodies, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	g.Inner = append(g.Inner, logMW)
	return g, nil
}
