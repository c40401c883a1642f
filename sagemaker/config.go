package sagemaker

import (
	"log/slog"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
)

// Payload styles.
const (
	PayloadTGI    = "tgi"    // {"inputs","parameters"} -> [{"generated_text"}]
	PayloadOpenAI = "openai" // {"messages","max_tokens"} -> chat.completion
)

// DefaultMaxTokens caps the output when neither the request nor the Config
// sets a cap.
const DefaultMaxTokens = 512

// FlagEstimatedUsage is on a response whose usage was estimated from its
// length because the endpoint reported none.
const FlagEstimatedUsage = "usage:estimated"

// Config configures a SageMaker endpoint model.
type Config struct {
	// Endpoint is the SageMaker endpoint name. Required.
	Endpoint string
	// Payload is PayloadTGI or PayloadOpenAI. Default PayloadTGI.
	Payload string
	// InferenceComponent names the inference component to call on an
	// endpoint that hosts several. Default none.
	InferenceComponent string
	// CustomAttributes is sent as X-Amzn-SageMaker-Custom-Attributes, e.g.
	// "accept_eula=true" for some JumpStart models. Default none.
	CustomAttributes string
	// MaxTokens caps the output when a request sets no cap. Default 512.
	MaxTokens int
	// Region overrides the region of AWS. Default: the region of AWS.
	Region string
	// Profile selects a shared-config profile when AWS is nil (as
	// AWS_PROFILE does). Default: the chain's choice.
	Profile string
	// BaseEndpoint overrides the runtime endpoint, e.g. a test server's
	// URL. Default: the endpoint the AWS config resolves.
	BaseEndpoint string
	// AWS is the AWS configuration. Default config.LoadDefaultConfig.
	AWS *aws.Config
	// Logger logs calls at debug level, without prompt text. Default
	// slog.Default().
	Logger *slog.Logger
	// Clock times calls. Default the system clock.
	Clock ticketsum.Clock
}

var endpointName = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)

func (c Config) withDefaults() (Config, error) {
	if c.Payload == "" {
		c.Payload = PayloadTGI
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = DefaultMaxTokens
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	switch {
	case c.Endpoint == "":
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: no endpoint name")
	case len(c.Endpoint) > 63 || !endpointName.MatchString(c.Endpoint):
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: endpoint name %q is not valid (letters, digits and hyphens, at most 63)", c.Endpoint)
	case c.Payload != PayloadTGI && c.Payload != PayloadOpenAI:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: payload %q is not %q or %q", c.Payload, PayloadTGI, PayloadOpenAI)
	case c.MaxTokens < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: MaxTokens %d is negative", c.MaxTokens)
	case len(c.CustomAttributes) > 1024:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: custom attributes are longer than 1024 characters")
	}
	return c, nil
}
