package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/prompt"
)

// ModelConfig holds the settings of one model. The yaml tags let a config
// file hold it directly.
type ModelConfig struct {
	// API is "converse" (default) or "invoke", for Bedrock models.
	API string `yaml:"api"`
	// Stream uses the streaming API. Default false.
	Stream bool `yaml:"stream"`
	// RPM and TPM are the account's requests and tokens per minute quotas
	// for the model. Default 0: no cap.
	RPM int `yaml:"rpm"`
	TPM int `yaml:"tpm"`
	// MaxConcurrency is the most calls in flight to the model from this
	// process, where the adaptive limit starts. Default 16.
	MaxConcurrency int `yaml:"max_concurrency"`
	// MaxQueue is the most calls waiting for a slot; one more is refused
	// at once (429 on the API). Default 4 x MaxConcurrency.
	MaxQueue int `yaml:"max_queue"`
	// Fallback lists models tried, in order, when this one stays throttled
	// or unavailable. Default none.
	Fallback []string `yaml:"fallback"`
	// MaxTokens caps the output. Default 300.
	MaxTokens int `yaml:"max_tokens"`
	// Payload is "tgi" (default) or "openai", for SageMaker endpoints.
	Payload string `yaml:"payload"`
	// InferenceComponent names a SageMaker inference component. Default none.
	InferenceComponent string `yaml:"inference_component"`
}

// withDefaults returns m with defaults filled in.
func (m ModelConfig) withDefaults() ModelConfig {
	if m.API == "" {
		m.API = bedrock.APIConverse
	}
	if m.MaxTokens == 0 {
		m.MaxTokens = 300
	}
	if m.Payload == "" {
		m.Payload = "tgi"
	}
	return m
}

// Config configures the Models builder.
type Config struct {
	// Models holds per-model settings by model name ("bedrock:<id>",
	// "sagemaker:<endpoint>", "openai:<model>"). Default: every model with
	// ModelConfig's defaults.
	Models map[string]ModelConfig
	// LoadAWS loads the AWS configuration, once, the first time a Bedrock or
	// SageMaker model is built. Default: config.LoadDefaultConfig, the
	// standard chain (environment, profiles, IAM role, AWS_ENDPOINT_URL_*).
	LoadAWS func(ctx context.Context) (aws.Config, error)
	// PromptCaching puts a cache point after the static system prompt on
	// Bedrock models that support it. Default false.
	PromptCaching bool
	// Guardrail applies a Bedrock Guardrail on every Bedrock call. Default
	// none.
	Guardrail bedrock.GuardrailConfig
	// OpenAIBaseURL is the OpenAI-compatible server for "openai:" models.
	// Default none: such models are refused.
	OpenAIBaseURL string
	// OpenAIAPIKey is the bearer token for that server. Default none.
	OpenAIAPIKey string
	// Catalogue prices calls and gives context windows. Default: the
	// embedded catalogue.
	Catalogue *cost.Catalogue
	// PromptVersion is the prompt template version. Default: the embedded
	// default version.
	PromptVersion string
	// PromptPath overrides the embedded templates (see prompt.Config.Path).
	// Default none.
	PromptPath string
	// PII is the output check for personal data in summaries. Default: the
	// prompt package's own check.
	PII prompt.PIIChecker
	// Outer and Inner are the gateway's governance middleware (access,
	// redaction, audit); see gateway.Config. Default none.
	Outer, Inner []gateway.Middleware
	// Fleet shares models' requests and tokens per minute across processes
	// (see gateway.Config.Fleet). Default nil: per process.
	Fleet gateway.FleetLimiter
	// Metrics receives the gateway's measurements. Default
	// gateway.NopMetrics.
	Metrics gateway.Metrics
	// MaxAttempts is the gateway's attempts per model. Default: the
	// gateway's (4).
	MaxAttempts int
	// MaxElapsed bounds a call's retries and fallbacks. Default: the
	// gateway's (2 minutes).
	MaxElapsed time.Duration
	// CallTimeout bounds one provider attempt. Default: the gateway's (60s).
	CallTimeout time.Duration
	// CallTimeoutSetting names the setting that sets CallTimeout, for the
	// reason of a call that timed out (gateway.Config.CallTimeoutSetting).
	CallTimeoutSetting string
	// Principal is recorded on every call and summary. Default
	// "ticketsum-worker".
	Principal string
	// Guard is the built-in summariser's guard, so that it follows the same
	// policy as the gateway. Default: the guard's defaults.
	Guard *guard.Guard
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives the components' logs, never ticket text. Default:
	// discard.
	Logger *slog.Logger
}

func (c *Config) fill() error {
	if c.LoadAWS == nil {
		c.LoadAWS = func(ctx context.Context) (aws.Config, error) { return awsconfig.LoadDefaultConfig(ctx) }
	}
	if c.Catalogue == nil {
		cat, err := cost.Default()
		if err != nil {
			return err
		}
		c.Catalogue = cat
	}
	if c.Metrics == nil {
		c.Metrics = gateway.NopMetrics{}
	}
	if c.Principal == "" {
		c.Principal = "ticketsum-worker"
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxAttempts < 0 || c.MaxElapsed < 0 || c.CallTimeout < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "app: MaxAttempts, MaxElapsed and CallTimeout must not be negative")
	}
	for name, m := range c.Models {
		switch m.API {
		case "", bedrock.APIConverse, bedrock.APIInvoke:
		default:
			return ticketsum.Errorf(ticketsum.EINVALID, "model %s: api must be converse or invoke, got %q", name, m.API)
		}
		switch m.Payload {
		case "", "tgi", "openai":
		default:
			return ticketsum.Errorf(ticketsum.EINVALID, "model %s: payload must be tgi or openai, got %q", name, m.Payload)
		}
		if m.RPM < 0 || m.TPM < 0 || m.MaxTokens < 0 || m.MaxConcurrency < 0 || m.MaxQueue < 0 {
			return ticketsum.Errorf(ticketsum.EINVALID, "model %s: rpm, tpm, max_tokens, max_concurrency and max_queue must not be negative", name)
		}
	}
	return nil
}
