package access

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ticketsum/ticketsum"
)

// EstimateFunc returns the most a request can cost on model, in USD: input
// tokens at the input price plus MaxTokens at the output price. The cost
// package provides one; the caller injects it.
type EstimateFunc func(model string, req *ticketsum.ModelRequest) (float64, error)

// Middleware returns a wrapper that puts access control on a model: it reads
// the principal from req.Meta.Principal, authorises the wrapped model's name
// (approved and allowed), applies the principal's requests-per-minute
// limit, reserves the estimated maximum cost before the call and settles the
// real cost (resp.CostUSD) after it. It returns EUNAUTHORIZED for a missing
// or unknown principal, EFORBIDDEN for a model not approved or not allowed,
// ETHROTTLED over the rate limit and EQUOTA over budget.
func Middleware(s *Service, estimate EstimateFunc) func(ticketsum.Model) ticketsum.Model {
	lim := &limiters{m: map[string]*rate.Limiter{}}
	return func(next ticketsum.Model) ticketsum.Model {
		return &guarded{next: next, svc: s, estimate: estimate, lim: lim}
	}
}

type guarded struct {
	next     ticketsum.Model
	svc      *Service
	estimate EstimateFunc
	lim      *limiters
}

var _ ticketsum.Model = (*guarded)(nil)

// Name returns the wrapped model's name.
func (g *guarded) Name() string { return g.next.Name() }

// Generate checks access, reserves budget, calls the model and settles.
func (g *guarded) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if g.svc == nil || g.estimate == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "access middleware is misconfigured: it needs a Service and a cost estimate function")
	}
	if req == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "nil model request")
	}
	model := g.next.Name()
	p, err := g.svc.authorizeCall(ctx, req, model)
	if err != nil {
		return nil, err
	}
	if !g.lim.allow(p.Name, p.RequestsPerMinute, g.svc.cfg.Clock.Now()) {
		return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "principal %s is over its limit of %d requests per minute", p.Name, p.RequestsPerMinute)
	}
	maxCost, err := g.estimate(model, req)
	if err != nil {
		return nil, fmt.Errorf("estimate cost of %s: %w", model, err)
	}
	res, err := g.svc.Reserve(ctx, p, maxCost)
	if err != nil {
		return nil, err
	}
	resp, callErr := g.next.Generate(ctx, req)
	var actual float64
	if resp != nil {
		actual = resp.CostUSD
	}
	// Settle even when the caller gave up, so the reservation is not leaked.
	if err := g.svc.Settle(context.WithoutCancel(ctx), res, actual); err != nil {
		g.svc.cfg.Logger.Error("settle budget", "principal", p.Name, "reserved_micros", res.Micros, "err", err)
	}
	return resp, callErr
}

// authorizeCall finds the request's principal and authorises it for
// model: EUNAUTHORIZED for a missing or unknown principal, EFORBIDDEN for a
// model not approved or not allowed.
func (s *Service) authorizeCall(ctx context.Context, req *ticketsum.ModelRequest, model string) (*Principal, error) {
	name := req.Meta.Principal
	if name == "" {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "model call has no principal")
	}
	p, err := s.cfg.Store.FindPrincipal(ctx, name)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "unknown principal %s", truncate(name, 70))
	}
	if err != nil {
		return nil, fmt.Errorf("access check: %w", err)
	}
	if err := s.Authorize(ctx, p, model); err != nil {
		return nil, err
	}
	return p, nil
}

// limiters holds one token bucket per principal, rebuilt when its limit
// changes.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (l *limiters) allow(principal string, rpm int, now time.Time) bool {
	if rpm <= 0 {
		return true
	}
	limit := rate.Limit(float64(rpm) / 60)
	burst := int(math.Max(1, float64(rpm)/6)) // at most 10 s of calls at once
	l.mu.Lock()
	lim, ok := l.m[principal]
	if !ok || lim.Limit() != limit || lim.Burst() != burst {
		lim = rate.NewLimiter(limit, burst)
		l.m[principal] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}

// AuthorizeMiddleware returns a wrapper that only authorises: the
// principal in req.Meta.Principal must exist and the wrapped model must be
// approved and in its allow-list. Put it on every provider attempt (the
// gateway's Inner list) so that a fallback model is checked too, while
// Middleware sits once per logical call (Outer) for limits and budget.
func AuthorizeMiddleware(s *Service) func(ticketsum.Model) ticketsum.Model {
	return func(next ticketsum.Model) ticketsum.Model { return &authorizer{next: next, svc: s} }
}

type authorizer struct {
	next ticketsum.Model
	svc  *Service
}

var _ ticketsum.Model = (*authorizer)(nil)

// Name returns the wrapped model's name.
func (a *authorizer) Name() string { return a.next.Name() }

// Generate authorises the call and passes it on.
func (a *authorizer) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if a.svc == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "access middleware is misconfigured: it needs a Service")
	}
	if req == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "nil model request")
	}
	if _, err := a.svc.authorizeCall(ctx, req, a.next.Name()); err != nil {
		return nil, err
	}
	return a.next.Generate(ctx, req)
}
