package gateway

import (
	"context"
	"fmt"
	"math"
	"slices"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

// Gateway routes calls to its models through limits, retries, fallbacks and
// pricing. Its models are safe for concurrent use.
type Gateway struct {
	cfg     Config
	members map[string]*member
	models  map[string]ticketsum.Model
	names   []string
}

// member is one provider model with its own limits.
type member struct {
	name   string
	call   ticketsum.Model // Inner middlewares around the priced provider
	quota  *quota
	win    *window
	weight float64   // quota tokens one output token burns
	chain  []*member // itself, then its fallbacks in order
}

// New returns a gateway over models. It returns EINVALID for a bad Config,
// a model without a name, a duplicate name, limits or fallbacks naming an
// unknown model, and ENOTFOUND for a model the catalogue cannot price
// unless AllowUnpriced is set.
func New(cfg Config, models ...ticketsum.Model) (*Gateway, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, members: map[string]*member{}, models: map[string]ticketsum.Model{}}
	for _, m := range models {
		if err := g.add(m); err != nil {
			return nil, err
		}
	}
	for name := range cfg.Limits {
		if _, ok := g.members[name]; !ok && name != "*" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "gateway: limits given for %s, which is not a gateway model", name)
		}
	}
	for name, chain := range cfg.Fallbacks {
		if _, ok := g.members[name]; !ok {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "gateway: fallbacks given for %s, which is not a gateway model", name)
		}
		for _, f := range chain {
			if _, ok := g.members[f]; !ok || f == name {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "gateway: fallback %s of %s is not another gateway model", f, name)
			}
		}
	}
	for _, name := range g.names {
		mem := g.members[name]
		mem.chain = []*member{mem}
		for _, f := range cfg.Fallbacks[name] {
			mem.chain = append(mem.chain, g.members[f])
		}
		var m ticketsum.Model = &routed{g: g, m: mem}
		for i := len(cfg.Outer) - 1; i >= 0; i-- {
			m = cfg.Outer[i](m)
		}
		g.models[name] = m
	}
	return g, nil
}

func (g *Gateway) add(m ticketsum.Model) error {
	if m == nil || m.Name() == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: a model has no name")
	}
	name := m.Name()
	if _, dup := g.members[name]; dup {
		return ticketsum.Errorf(ticketsum.EINVALID, "gateway: model %s is given twice", name)
	}
	entry, err := g.cfg.Catalogue.Lookup(name)
	if err != nil && !g.cfg.AllowUnpriced {
		return fmt.Errorf("gateway: cannot price model %s: %w", name, err)
	}
	var p *cost.Entry
	if err == nil {
		p = &entry
	}
	l, ok := g.cfg.Limits[name]
	if !ok {
		l = g.cfg.Limits["*"]
	}
	if err := l.fill(name); err != nil {
		return err
	}
	var call ticketsum.Model = &priced{next: m, name: name, entry: p}
	for i := len(g.cfg.Inner) - 1; i >= 0; i-- {
		call = g.cfg.Inner[i](call)
	}
	mem := &member{name: name, call: call, quota: newQuota(name, l, g.cfg.Fleet, g.cfg.Clock, g.cfg.Sleep), weight: 1}
	if p != nil {
		mem.weight = p.QuotaWeight()
	}
	mem.win = newWindow(l, func(limit int) { g.cfg.Metrics.Concurrency(name, limit) })
	g.cfg.Metrics.Concurrency(name, l.MaxConcurrency) // the starting limit
	g.members[name] = mem
	g.names = append(g.names, name)
	return nil
}

// Model returns the governed model of that name: every call to it goes
// through the Outer middlewares, limits, retries, fallbacks, the Inner
// middlewares and pricing. It returns ENOTFOUND for an unknown name.
func (g *Gateway) Model(name string) (ticketsum.Model, error) {
	m, ok := g.models[name]
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s is not configured: configured models are %v", name, g.names)
	}
	return m, nil
}

// Names returns the model names, in the order given to New.
func (g *Gateway) Names() []string { return slices.Clone(g.names) }

// Concurrency returns a model's current concurrency limit and calls in
// flight, or zeros for an unknown name.
func (g *Gateway) Concurrency(name string) (limit, inflight int) {
	m, ok := g.members[name]
	if !ok {
		return 0, 0
	}
	return m.win.current()
}

// routed is the gateway core for one requested model.
type routed struct {
	g *Gateway
	m *member
}

// Name returns the requested model's name.
func (r *routed) Name() string { return r.m.name }

// Generate calls the model with limits, retries and fallbacks.
func (r *routed) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return r.g.generate(ctx, r.m, req)
}

// priced sets the answering model's name and the cost on each answer.
type priced struct {
	next  ticketsum.Model
	name  string
	entry *cost.Entry
}

// Name returns the provider model's name.
func (p *priced) Name() string { return p.name }

// Generate calls the provider and prices its usage.
func (p *priced) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	res, err := p.next.Generate(ctx, req)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "%s: provider returned no answer and no error", p.name)
	}
	res.Model = p.name
	if p.entry != nil {
		usd, err := p.entry.Cost(res.Usage)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "%s: provider reported bad usage: %w", p.name, err)
		}
		res.CostUSD = usd
	}
	if h, ok := ctx.Value(paidKey{}).(*paidAnswer); ok {
		h.res = res
	}
	return res, nil
}

// reservation is the quota tokens a request reserves: its estimated input
// plus its max output, weighted as the quota counts output.
func (g *Gateway) reservation(m *member, req *ticketsum.ModelRequest) int {
	out := req.MaxTokens
	if out <= 0 {
		out = g.cfg.DefaultMaxTokens
	}
	return g.cfg.EstimateTokens(req) + int(math.Ceil(float64(out)*m.weight))
}

// used is the quota tokens a call burnt: input, cache writes and weighted
// output; cache reads do not count toward Bedrock's token quotas.
func (m *member) used(u ticketsum.Usage) int {
	return u.InputTokens + u.CacheWriteTokens + int(math.Ceil(float64(u.OutputTokens)*m.weight))
}
