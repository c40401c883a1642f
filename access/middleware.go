package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum"
)

// EstimateFunc returns the most a request can cost on model, in USD: input
// tokens at the input price plus MaxTokens at the output price. The cost
// package provides one; the caller injects it.
type EstimateFunc func(model string, req *ticketsum.ModelRequest) (float64, error)

// Middleware returns a wrapper that puts access control on a model: it reads
// the principal from req.Meta.Principal, authorises the wrapped model's name
// (approved and allowed), applies the principal's requests-per-minute
// limit (Config.Limiter: per process, or fleet-wide), reserves the
// estimated maximum cost before the call and settles the real cost
// (resp.CostUSD) after it. A call without a request id is given one
// (req.Meta.RequestID), so that its reservation and its audit record name
// the same call. It returns EUNAUTHORIZED for a missing or unknown
// principal, EFORBIDDEN for a model not approved or not allowed,
// ETHROTTLED over the rate limit and EQUOTA over budget; each message names
// the rule and the command that changes it.
func Middleware(s *Service, estimate EstimateFunc) func(ticketsum.Model) ticketsum.Model {
	return func(next ticketsum.Model) ticketsum.Model {
		return &guarded{next: next, svc: s, estimate: estimate}
	}
}

type guarded struct {
	next     ticketsum.Model
	svc      *Service
	estimate EstimateFunc
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
	if err := g.svc.allow(ctx, p); err != nil {
		return nil, err
	}
	maxCost, err := g.estimate(model, req)
	if err != nil {
		return nil, fmt.Errorf("estimate cost of %s: %w", model, err)
	}
	if req.Meta.RequestID == "" {
		req.Meta.RequestID = newRequestID()
	}
	res, err := g.svc.ReserveFor(ctx, p, maxCost, req.Meta.RequestID)
	if err != nil {
		return nil, err
	}
	resp, callErr := g.next.Generate(ctx, req)
	// A paid answer withheld because it could not be recorded is charged
	// too: it was paid (docs/governance.md).
	actual := ticketsum.WithheldCostUSD(callErr)
	if resp != nil {
		actual = resp.CostUSD
	}
	// Settle even when the caller gave up, so the reservation is not leaked.
	g.svc.Settle(context.WithoutCancel(ctx), res, actual)
	return resp, callErr
}

// allow applies the principal's requests-per-minute limit.
func (s *Service) allow(ctx context.Context, p *Principal) error {
	if p.RequestsPerMinute <= 0 {
		return nil
	}
	ok, wait, err := s.cfg.Limiter.Allow(ctx, "principal:"+p.Name, p.RequestsPerMinute)
	if err != nil {
		return fmt.Errorf("rate limit of %s: %w", p.Name, err)
	}
	if !ok {
		fix := s.fix(p, "requests_per_minute", fmt.Sprintf("--rpm %d", 2*p.RequestsPerMinute))
		return ticketsum.Errorf(ticketsum.ETHROTTLED, "principal %s is over its limit of %d requests per minute (rule: principal rpm; retry in %s): to raise it, %s",
			p.Name, p.RequestsPerMinute, wait.Round(time.Millisecond), fix)
	}
	return nil
}

// newRequestID returns "tks-<16 hex>".
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return "tks-" + hex.EncodeToString(b[:])
}

// authorizeCall finds the request's principal and authorises it for
// model: EUNAUTHORIZED for a missing or unknown principal, EFORBIDDEN for a
// model not approved or not allowed. It reads the cache only.
func (s *Service) authorizeCall(ctx context.Context, req *ticketsum.ModelRequest, model string) (*Principal, error) {
	p, snap, err := s.lookupPrincipal(ctx, req.Meta.Principal)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(snap, p, model); err != nil {
		return nil, err
	}
	return p, nil
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
