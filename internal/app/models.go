package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/openai"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/sagemaker"
	"github.com/ticketsum/ticketsum/summarize"
)

// Builtin is the name of the built-in offline summariser.
const Builtin = "builtin"

// Models builds providers, gateways, summarisers and pipelines from a
// Config, caching the AWS configuration and one gateway per model. It is
// safe for concurrent use.
type Models struct {
	cfg Config
	// built holds each built gateway by model name, read without a lock:
	// Gateway is on every served request's path.
	built sync.Map
	// mu serialises building (AWS configuration, providers, gateways).
	mu  sync.Mutex
	aws *aws.Config
	// failMu guards failed: each model whose build failed lately, with
	// the error and until when it is returned without building again.
	failMu sync.Mutex
	failed map[string]failedBuild
}

// failedBuild is a model build's error and until when it stands.
type failedBuild struct {
	err   error
	until time.Time
}

const (
	// failedBuildTTL is how long a failed build's error is returned
	// without building again: a misconfigured model (no AWS region) would
	// otherwise load the AWS configuration, under mu, on every request
	// for it, and a fixed environment is still noticed within seconds.
	failedBuildTTL = 5 * time.Second
	// maxFailedBuilds bounds the failures remembered, since model names
	// come from API callers.
	maxFailedBuilds = 256
)

// New returns a Models, or EINVALID for a bad Config.
func New(cfg Config) (*Models, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Models{cfg: cfg}, nil
}

// ModelConfig returns the settings of model name with defaults filled in.
func (m *Models) ModelConfig(name string) ModelConfig { return m.cfg.Models[name].withDefaults() }

// UnknownModel is the error for a model name no provider serves. For
// Builtin, which summarises tickets but answers no other request (a chat
// completion), it says so and names what to use instead.
func UnknownModel(name string) error {
	if name == Builtin {
		return ticketsum.Errorf(ticketsum.EINVALID,
			"model %q is the built-in summariser: it summarises tickets (ticketsum summarize, the worker, POST /v1/summaries) and answers no other request; name a provider model: bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", name)
	}
	return ticketsum.Errorf(ticketsum.EINVALID,
		"unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", name)
}

// awsConfig loads the AWS configuration once. m.mu must be held.
func (m *Models) awsConfig(ctx context.Context) (*aws.Config, error) {
	if m.aws != nil {
		return m.aws, nil
	}
	c, err := m.cfg.LoadAWS(ctx)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "load AWS configuration (check AWS_PROFILE, AWS_REGION and ~/.aws/config): %w", err)
	}
	m.aws = &c
	return m.aws, nil
}

// provider builds the provider model for a name. m.mu must be held.
func (m *Models) provider(ctx context.Context, name string) (ticketsum.Model, error) {
	mc := m.ModelConfig(name)
	kind, id, _ := strings.Cut(name, ":")
	if id == "" {
		return nil, UnknownModel(name)
	}
	switch kind {
	case "bedrock":
		awsCfg, err := m.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		cacheMin := 0 // the provider's default when the catalogue does not know the model
		if e, err := m.cfg.Catalogue.Lookup(name); err == nil {
			cacheMin = e.CacheMinTokens
		}
		return bedrock.New(ctx, bedrock.Config{
			ModelID: id, API: mc.API, Stream: mc.Stream, MaxTokens: mc.MaxTokens,
			PromptCaching: m.cfg.PromptCaching, CacheMinTokens: cacheMin, Guardrail: m.cfg.Guardrail,
			AWS: awsCfg, Logger: m.cfg.Logger, Clock: m.cfg.Clock,
		})
	case "sagemaker":
		awsCfg, err := m.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return sagemaker.New(ctx, sagemaker.Config{
			Endpoint: id, Payload: mc.Payload, InferenceComponent: mc.InferenceComponent,
			MaxTokens: mc.MaxTokens, AWS: awsCfg, Logger: m.cfg.Logger,
		})
	case "openai":
		if m.cfg.OpenAIBaseURL == "" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "model %s: no OpenAI-compatible base URL configured: set openai.base_url in the config (e.g. http://127.0.0.1:8000/v1 for vLLM)", name)
		}
		return openai.New(openai.Config{
			Model: id, BaseURL: m.cfg.OpenAIBaseURL, APIKey: m.cfg.OpenAIAPIKey,
			MaxTokens: mc.MaxTokens, Clock: m.cfg.Clock, Logger: m.cfg.Logger,
		})
	}
	return nil, UnknownModel(name)
}

// Gateway returns the gateway holding model and its fallback chain, with the
// governance middleware and metrics in place; every provider call goes
// through it. It is built once per model; once built, it is returned
// without taking a lock. A failed build's error is returned again for a few
// seconds (failedBuildTTL) without building.
func (m *Models) Gateway(ctx context.Context, model string) (*gateway.Gateway, error) {
	if g, ok := m.built.Load(model); ok {
		return g.(*gateway.Gateway), nil
	}
	if err := m.recentFailure(model); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if g, ok := m.built.Load(model); ok {
		return g.(*gateway.Gateway), nil
	}
	if err := m.recentFailure(model); err != nil {
		return nil, err
	}
	g, err := m.build(ctx, model)
	if err != nil {
		if ctx.Err() == nil { // a cancelled caller says nothing of the model
			m.rememberFailure(model, err)
		}
		return nil, err
	}
	m.built.Store(model, g)
	return g, nil
}

// recentFailure returns the error of model's build if it failed less than
// failedBuildTTL ago, or nil.
func (m *Models) recentFailure(model string) error {
	m.failMu.Lock()
	defer m.failMu.Unlock()
	f, ok := m.failed[model]
	if !ok {
		return nil
	}
	if !m.cfg.Clock.Now().Before(f.until) {
		delete(m.failed, model)
		return nil
	}
	return f.err
}

// rememberFailure keeps a failed build's error for failedBuildTTL, unless
// maxFailedBuilds unexpired failures are kept already.
func (m *Models) rememberFailure(model string, err error) {
	now := m.cfg.Clock.Now()
	m.failMu.Lock()
	defer m.failMu.Unlock()
	if m.failed == nil {
		m.failed = map[string]failedBuild{}
	}
	if len(m.failed) >= maxFailedBuilds {
		for name, f := range m.failed {
			if !now.Before(f.until) {
				delete(m.failed, name)
			}
		}
		if len(m.failed) >= maxFailedBuilds {
			return
		}
	}
	m.failed[model] = failedBuild{err: err, until: now.Add(failedBuildTTL)}
}

// build builds the gateway of model and its fallbacks. m.mu must be held.
func (m *Models) build(ctx context.Context, model string) (*gateway.Gateway, error) {
	names := append([]string{model}, m.ModelConfig(model).Fallback...)
	gc := gateway.Config{
		Catalogue: m.cfg.Catalogue, Limits: map[string]gateway.Limits{}, Fallbacks: map[string][]string{},
		MaxAttempts: m.cfg.MaxAttempts, MaxElapsed: m.cfg.MaxElapsed, Fleet: m.cfg.Fleet, CallTimeout: m.cfg.CallTimeout, CallTimeoutSetting: m.cfg.CallTimeoutSetting,
		Outer: m.cfg.Outer, Inner: m.cfg.Inner, Clock: m.cfg.Clock, Logger: m.cfg.Logger, Metrics: m.cfg.Metrics,
	}
	var models []ticketsum.Model
	for _, n := range names {
		mc := m.ModelConfig(n)
		p, err := m.provider(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", n, err)
		}
		models = append(models, p)
		gc.Limits[n] = gateway.Limits{RequestsPerMinute: mc.RPM, TokensPerMinute: mc.TPM, MaxConcurrency: mc.MaxConcurrency, MaxQueue: mc.MaxQueue}
		if len(mc.Fallback) > 0 {
			gc.Fallbacks[n] = mc.Fallback
		}
	}
	return gateway.New(gc, models...)
}

// Template returns the prompt template of a version ("" for the configured
// one).
func (m *Models) Template(version string) (*prompt.Template, error) {
	if version == "" {
		version = m.cfg.PromptVersion
	}
	return prompt.New(prompt.Config{Version: version, Path: m.cfg.PromptPath, PII: m.cfg.PII})
}

// Summarizer returns the Summarizer for a model name ("builtin" or a
// provider model behind its gateway) and prompt version ("" for the
// configured one), calling as the configured principal.
func (m *Models) Summarizer(ctx context.Context, model, promptVersion string) (ticketsum.Summarizer, error) {
	return m.SummarizerAs(ctx, model, promptVersion, m.cfg.Principal)
}

// SummarizerAs is Summarizer calling as principal, so that access control,
// budgets and the audit trail attribute the calls to it (an API caller).
func (m *Models) SummarizerAs(ctx context.Context, model, promptVersion, principal string) (ticketsum.Summarizer, error) {
	if model == Builtin {
		return builtin.New(builtin.Config{Guard: m.cfg.Guard, Clock: m.cfg.Clock, Logger: m.cfg.Logger})
	}
	if !strings.Contains(model, ":") {
		return nil, UnknownModel(model)
	}
	g, err := m.Gateway(ctx, model)
	if err != nil {
		return nil, err
	}
	gm, err := g.Model(model)
	if err != nil {
		return nil, err
	}
	tmpl, err := m.Template(promptVersion)
	if err != nil {
		return nil, err
	}
	window := 0
	if e, err := m.cfg.Catalogue.Lookup(model); err == nil {
		window = e.ContextWindow
	}
	return summarize.NewLLM(summarize.LLMConfig{
		Model: gm, Prompt: tmpl, ContextWindow: window, MaxOutputTokens: m.ModelConfig(model).MaxTokens,
		Principal: principal, Clock: m.cfg.Clock, Logger: m.cfg.Logger,
	})
}

// Pipeline returns the one-ticket pipeline for model, loading tickets from
// and saving summaries to store (nil for Summarize only), with guard as the
// output guard (nil for none).
func (m *Models) Pipeline(ctx context.Context, model string, store ticketsum.Store, guard summarize.Guard) (*summarize.Pipeline, error) {
	s, err := m.Summarizer(ctx, model, "")
	if err != nil {
		return nil, err
	}
	return summarize.New(summarize.Config{Summarizer: s, Store: store, Guard: guard, Model: model,
		Principal: m.cfg.Principal, Clock: m.cfg.Clock, Logger: m.cfg.Logger})
}
