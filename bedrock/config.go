package bedrock

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
)

// APIs the provider can call.
const (
	APIConverse = "converse" // Converse / ConverseStream
	APIInvoke   = "invoke"   // InvokeModel / InvokeModelWithResponseStream with native bodies
)

// DefaultMaxTokens caps the output when neither the request nor the Config
// sets a cap.
const DefaultMaxTokens = 512

// Config configures a Bedrock model.
type Config struct {
	// ModelID is the base model ID, inference-profile ID or ARN. Required.
	ModelID string
	// Family overrides the model family found in ModelID (FamilyAnthropic,
	// FamilyNova, FamilyLlama, FamilyMistral, FamilyTitan). Needed with
	// API "invoke" or PromptCaching for ARNs that hide the model, such as
	// application inference profiles. Default: from ModelID.
	Family string
	// API is APIConverse or APIInvoke. Default APIConverse.
	API string
	// Stream calls the streaming operation. Default false.
	Stream bool
	// Guardrail applies a Bedrock guardrail to every call. Default none.
	Guardrail GuardrailConfig
	// PromptCaching puts a cache point after the system prompt of a request
	// that marks it static (ModelRequest.CacheSystem), on models that
	// support caching (ModelRef.SupportsCaching), when it holds at least
	// CacheMinTokens tokens. Default false: never a cache point
	// (aws.prompt_caching).
	PromptCaching bool
	// CacheMinTokens is the fewest tokens (estimated at four characters
	// each) a system prompt must hold for a cache point: the model's
	// cache_min_tokens in the catalogue. Default 1024.
	CacheMinTokens int
	// MaxTokens caps the output when a request sets no cap. Default 512.
	MaxTokens int
	// Region overrides the region of AWS. Default: the region of AWS.
	Region string
	// Profile selects a shared-config profile when AWS is nil (as
	// AWS_PROFILE does). Default: the chain's choice.
	Profile string
	// BaseEndpoint overrides the endpoint, e.g. a test server's URL.
	// Default: the endpoint the AWS config resolves.
	BaseEndpoint string
	// AWS is the AWS configuration. Default: config.LoadDefaultConfig,
	// the standard chain of environment, profiles and instance roles.
	AWS *aws.Config
	// Logger logs calls at debug level, without prompt text. Default
	// slog.Default().
	Logger *slog.Logger
	// Clock times calls. Default the system clock.
	Clock ticketsum.Clock
}

// GuardrailConfig names a Bedrock guardrail. The zero value applies none.
type GuardrailConfig struct {
	// ID is the guardrail identifier or ARN.
	ID string
	// Version is the guardrail version, a number or "DRAFT". Default
	// "DRAFT" when ID is set.
	Version string
	// Trace is "enabled", "enabled_full" or "disabled". Default "enabled":
	// the trace is what tells masking from blocking.
	Trace string
}

func (c Config) withDefaults() (Config, error) {
	if c.API == "" {
		c.API = APIConverse
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = DefaultMaxTokens
	}
	if c.CacheMinTokens == 0 {
		c.CacheMinTokens = 1024
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	var err error
	if c.Guardrail, err = c.Guardrail.withDefaults(); err != nil {
		return c, err
	}
	switch {
	case c.ModelID == "":
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: no model ID: set it to a model ID such as anthropic.claude-3-5-haiku-20241022-v1:0, a profile such as us.amazon.nova-lite-v1:0, or an ARN")
	case c.API != APIConverse && c.API != APIInvoke:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: API %q is not %q or %q", c.API, APIConverse, APIInvoke)
	case c.MaxTokens < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: MaxTokens %d is negative", c.MaxTokens)
	case c.CacheMinTokens < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: CacheMinTokens %d is negative", c.CacheMinTokens)
	}
	switch c.Family {
	case "", FamilyAnthropic, FamilyNova, FamilyLlama, FamilyMistral, FamilyTitan:
	default:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: unknown family %q (want anthropic, nova, llama, mistral or titan)", c.Family)
	}
	return c, nil
}

func (g GuardrailConfig) withDefaults() (GuardrailConfig, error) {
	if g.ID == "" {
		if g.Version != "" {
			return g, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: guardrail version %q set without a guardrail ID", g.Version)
		}
		return g, nil
	}
	if g.Version == "" {
		g.Version = "DRAFT"
	}
	if g.Trace == "" {
		g.Trace = "enabled"
	}
	switch g.Trace {
	case "enabled", "enabled_full", "disabled":
	default:
		return g, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: guardrail trace %q is not enabled, enabled_full or disabled", g.Trace)
	}
	return g, nil
}

// since returns the time elapsed since start on clock.
func since(clock ticketsum.Clock, start time.Time) time.Duration {
	return clock.Now().Sub(start)
}
