package cli

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/prompt"
)

// catalogue returns the model catalogue: the embedded one with the config's
// override file applied.
func (w *wiring) catalogue() (*cost.Catalogue, error) {
	if w.cat != nil {
		return w.cat, nil
	}
	// Calls are billed at the prices of the region they are made in: the
	// configured region, else the standard chain's AWS_REGION.
	cc := cost.Config{Region: w.cfg.AWS.Region}
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if cc.Region == "" {
			cc.Region = w.env.getenv(v)
		}
	}
	if w.cfg.AWS.Guardrail.ID != "" {
		// Estimates (budgets, plan) assume the policies of the guardrail
		// deploy/template.yaml creates; calls are charged what their trace says.
		cc.Guardrail = &cost.DefaultGuardrailPolicies
	}
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

// models returns the provider, gateway and summariser factory, with the
// governance wrappers on every gateway. It opens governance on first use.
func (w *wiring) models(ctx context.Context) (*app.Models, error) {
	if w.mods != nil {
		return w.mods, nil
	}
	gov, err := w.governance(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := w.catalogue()
	if err != nil {
		return nil, err
	}
	prom, err := w.metrics()
	if err != nil {
		return nil, err
	}
	outer, inner := w.modelMiddleware(gov)
	m, err := app.New(app.Config{
		Models: w.cfg.Models,
		LoadAWS: func(ctx context.Context) (aws.Config, error) {
			c, err := w.awsConfig(ctx)
			if err != nil {
				return aws.Config{}, err
			}
			return *c, nil
		},
		PromptCaching: w.cfg.AWS.PromptCaching, Guardrail: w.cfg.AWS.Guardrail.bedrock(),
		OpenAIBaseURL: w.cfg.OpenAI.BaseURL, OpenAIAPIKey: w.env.getenv(w.cfg.OpenAI.APIKeyEnv),
		Catalogue: cat, PromptVersion: w.cfg.Prompt.Version, PromptPath: w.cfg.Prompt.Path, PII: w.piiChecker(),
		Outer: outer, Inner: inner, Metrics: prom, Principal: w.cfg.servicePrincipal(access.RoleWorker).Name,
		Guard: gov.Guard, Logger: w.logger, Fleet: w.gatewayFleet(),
		CallTimeout: w.cfg.CallTimeout, CallTimeoutSetting: "call_timeout (TICKETSUM_CALL_TIMEOUT)",
	})
	if err != nil {
		return nil, err
	}
	w.mods = m
	return m, nil
}

// gatewayFor returns the gateway holding model and its fallback chain.
func (w *wiring) gatewayFor(ctx context.Context, model string) (*gateway.Gateway, error) {
	m, err := w.models(ctx)
	if err != nil {
		return nil, err
	}
	return m.Gateway(ctx, model)
}

// template returns the prompt template of a version ("" for the default).
func (w *wiring) template(version string) (*prompt.Template, error) {
	if version == "" {
		version = w.cfg.Prompt.Version
	}
	return prompt.New(prompt.Config{Version: version, Path: w.cfg.Prompt.Path, PII: w.piiChecker()})
}

// summarizer returns the Summarizer for a model name and prompt version
// ("" for the configured one), calling as the worker's principal
// (principals.worker, reconciled first).
func (w *wiring) summarizer(ctx context.Context, model, promptVersion string) (ticketsum.Summarizer, error) {
	return w.summarizerFor(ctx, model, promptVersion, access.RoleWorker)
}

// summarizerAs is summarizer calling as principal. The built-in model needs
// no governance: no data leaves the process.
func (w *wiring) summarizerAs(ctx context.Context, model, promptVersion, principal string) (ticketsum.Summarizer, error) {
	if model == app.Builtin {
		g, err := w.newGuard()
		if err != nil {
			return nil, err
		}
		return builtin.New(builtin.Config{Guard: g, Logger: w.logger})
	}
	if !strings.Contains(model, ":") {
		return nil, app.UnknownModel(model)
	}
	m, err := w.models(ctx)
	if err != nil {
		return nil, err
	}
	return m.SummarizerAs(ctx, model, promptVersion, principal)
}

// catalogueWhere names the catalogue override file that prices a model
// the embedded catalogue lacks: the one the config's catalogue: key names,
// or how to name one.
func (w *wiring) catalogueWhere() string {
	if w.cfg.Catalogue != "" {
		return "the catalogue override file " + w.cfg.Catalogue + " (catalogue: in the config)"
	}
	return "a catalogue override file (YAML, such as catalogue.yaml: docs/cost-and-planning.md) named by catalogue: in the config, or by ticketsum init --catalogue FILE"
}

// notListed is the bad-input error (exit 2) for a model the catalogue does
// not list; remedy is what the command offers besides checking the ID.
func notListed(model, remedy string) error {
	return usagef("model %s is not in the catalogue (`ticketsum models` lists it): check the ID, or %s", model, remedy)
}

// requireListed refuses, as bad input (exit 2), a model to call that the
// catalogue does not list, or one of its fallbacks (models.<model>.fallback):
// the gateway prices every call, so it could make none. Every command that
// calls a model (summarize, worker, serve, backfill, eval) checks before any
// work, with the message of models approve.
func (w *wiring) requireListed(models ...string) error {
	cat, err := w.catalogue()
	if err != nil {
		return err
	}
	for _, m := range models {
		if m == app.Builtin || !validModelName(m) {
			continue // the provider's own error names what is wrong
		}
		for _, name := range append([]string{m}, w.cfg.Models[m].Fallback...) {
			_, err := cat.Lookup(name)
			switch {
			case err == nil:
			case strings.Contains(name, ":arn:"):
				return usagef("%s (%s)", ticketsum.ErrorMessage(err), w.catalogueWhere()) // says what an ARN needs
			default:
				return notListed(name, "add it with its prices to "+w.catalogueWhere())
			}
		}
	}
	return nil
}

// gatewayFleet returns the fleet limiter as the gateway's, or nil (a nil
// *redislimit.Limiter must not become a non-nil interface).
func (w *wiring) gatewayFleet() gateway.FleetLimiter {
	if w.fleet == nil {
		return nil
	}
	return w.fleet
}
