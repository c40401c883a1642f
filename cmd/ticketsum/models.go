package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/openai"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/sagemaker"
	"github.com/ticketsum/ticketsum/summarize"
)

// catalogue returns the model catalogue: the embedded one with the config's
// override file applied.
func (w *wiring) catalogue() (*cost.Catalogue, error) {
	if w.cat != nil {
		return w.cat, nil
	}
	var cc cost.Config
	if w.cfg.Catalogue != "" {
		data, err := os.ReadFile(w.cfg.Catalogue)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "catalogue %s: %v", w.cfg.Catalogue, unwrapPathError(err))
		}
		cc.Overrides = [][]byte{data}
	}
	cat, err := cost.New(cc)
	if err != nil {
		return nil, err
	}
	w.cat = cat
	return cat, nil
}

// awsConfig loads the standard AWS configuration chain (environment,
// profiles, SSO, IAM role, AWS_ENDPOINT_URL_*) once.
func (w *wiring) awsConfig(ctx context.Context) (*aws.Config, error) {
	if w.aws != nil {
		return w.aws, nil
	}
	var opts []func(*awsconfig.LoadOptions) error
	if w.cfg.AWS.Region != "" {
		opts = append(opts, awsconfig.WithRegion(w.cfg.AWS.Region))
	}
	if w.cfg.AWS.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(w.cfg.AWS.Profile))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "load AWS configuration (check AWS_PROFILE, AWS_REGION and ~/.aws/config): %w", err)
	}
	w.aws = &c
	return w.aws, nil
}

// provider builds the provider model for a name.
func (w *wiring) provider(ctx context.Context, name string) (ticketsum.Model, error) {
	mc := w.cfg.modelConfig(name)
	kind, id, _ := strings.Cut(name, ":")
	if id == "" {
		return nil, unknownModel(name)
	}
	switch kind {
	case "bedrock":
		awsCfg, err := w.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return bedrock.New(ctx, bedrock.Config{
			ModelID: id, API: mc.API, Stream: mc.Stream, MaxTokens: mc.MaxTokens,
			PromptCaching: w.cfg.AWS.PromptCaching, Guardrail: w.cfg.AWS.Guardrail.bedrock(),
			AWS: awsCfg, Logger: w.logger,
		})
	case "sagemaker":
		awsCfg, err := w.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return sagemaker.New(ctx, sagemaker.Config{
			Endpoint: id, Payload: mc.Payload, InferenceComponent: mc.InferenceComponent,
			MaxTokens: mc.MaxTokens, AWS: awsCfg, Logger: w.logger,
		})
	case "openai":
		if w.cfg.OpenAI.BaseURL == "" {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "model %s: set openai.base_url in the config (e.g. http://127.0.0.1:8000/v1 for vLLM)", name)
		}
		return openai.New(openai.Config{
			Model: id, BaseURL: w.cfg.OpenAI.BaseURL, APIKey: w.env.getenv(w.cfg.OpenAI.APIKeyEnv),
			MaxTokens: mc.MaxTokens, Logger: w.logger,
		})
	}
	return nil, unknownModel(name)
}

func unknownModel(name string) error {
	return ticketsum.Errorf(ticketsum.EINVALID,
		"unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", name)
}

// gatewayFor returns the gateway holding model and its fallback chain, with
// the governance wrappers in place. Every provider call goes through it.
func (w *wiring) gatewayFor(ctx context.Context, model string) (*gateway.Gateway, error) {
	if g, ok := w.gateways[model]; ok {
		return g, nil
	}
	cat, err := w.catalogue()
	if err != nil {
		return nil, err
	}
	names := append([]string{model}, w.cfg.modelConfig(model).Fallback...)
	gc := gateway.Config{
		Catalogue: cat, Limits: map[string]gateway.Limits{}, Fallbacks: map[string][]string{},
		Logger: w.logger, Metrics: w.metrics(),
	}
	var models []ticketsum.Model
	for _, n := range names {
		mc := w.cfg.modelConfig(n)
		m, err := w.provider(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", n, err)
		}
		models = append(models, m)
		gc.Limits[n] = gateway.Limits{RequestsPerMinute: mc.RPM, TokensPerMinute: mc.TPM}
		if len(mc.Fallback) > 0 {
			gc.Fallbacks[n] = mc.Fallback
		}
	}
	if gc.Outer, gc.Inner, err = w.middlewares(ctx); err != nil {
		return nil, err
	}
	g, err := gateway.New(gc, models...)
	if err != nil {
		return nil, err
	}
	if w.gateways == nil {
		w.gateways = map[string]*gateway.Gateway{}
	}
	w.gateways[model] = g
	return g, nil
}

// template returns the prompt template of a version ("" for the default).
func (w *wiring) template(version string) (*prompt.Template, error) {
	pc := w.cfg.Prompt
	return prompt.New(prompt.Config{Version: version, Path: pc.Path, PII: w.piiChecker()})
}

// summarizer returns the Summarizer for a model name and prompt version
// ("" for the configured one).
func (w *wiring) summarizer(ctx context.Context, model, promptVersion string) (ticketsum.Summarizer, error) {
	if model == "builtin" {
		g, err := w.newGuard()
		if err != nil {
			return nil, err
		}
		return builtin.New(builtin.Config{Guard: g, Logger: w.logger})
	}
	if !strings.Contains(model, ":") {
		return nil, unknownModel(model)
	}
	g, err := w.gatewayFor(ctx, model)
	if err != nil {
		return nil, err
	}
	m, err := g.Model(model)
	if err != nil {
		return nil, err
	}
	if promptVersion == "" {
		promptVersion = w.cfg.Prompt.Version
	}
	tmpl, err := w.template(promptVersion)
	if err != nil {
		return nil, err
	}
	cat, _ := w.catalogue()
	window := 0
	if e, err := cat.Lookup(model); err == nil {
		window = e.ContextWindow
	}
	return summarize.NewLLM(summarize.LLMConfig{
		Model: m, Prompt: tmpl, ContextWindow: window, MaxOutputTokens: w.cfg.modelConfig(model).MaxTokens,
		Principal: access.WorkerPrincipal, Logger: w.logger,
	})
}
