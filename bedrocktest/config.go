package bedrocktest

import (
	"time"

	"github.com/ticketsum/ticketsum"
)

// Config configures a fake server. The zero Config is a working server for
// us-east-1 that answers every known model with DefaultResponder, with no
// latency, no quotas and no faults.
type Config struct {
	// Region is the region requests must be signed for. Default "us-east-1".
	Region string
	// AccessKeyID, when set, is the only access key accepted; others get
	// UnrecognizedClientException. Default: any key. Signatures themselves
	// are not verified, only the credential scope.
	AccessKeyID string
	// APIKey, when set, is accepted as a Bedrock API key
	// ("Authorization: Bearer <key>") instead of a SigV4 signature.
	APIKey string
	// TLS serves HTTPS with a self-signed certificate (Client and AWSConfig
	// trust it; CertificatePEM gives it for AWS_CA_BUNDLE). Bedrock API
	// keys need it: the SDK sends bearer tokens over HTTPS only.
	// Default false (plain HTTP).
	TLS bool
	// Responder writes the answer to a prompt. For chat bodies (Converse,
	// Claude, Nova, Mistral chat) the prompt is the text of the last user
	// turn; for text-completion bodies (Llama, Mistral, Titan) it is the
	// whole prompt with Llama's special tokens removed; for SageMaker it is
	// "inputs" or the last user message. Default DefaultResponder.
	Responder func(model, prompt string) string
	// Latency is added to every model call before it answers. Default 0.
	Latency time.Duration
	// TimeScale shrinks or stretches the server's minute: quota windows and
	// the prompt-cache TTL last TimeScale times their real length. 0.01
	// makes a quota minute 600ms. Default 1.
	TimeScale float64
	// Quotas are requests- and tokens-per-minute quotas, keyed by the model
	// ID as called, by the base model ID, or "*" for every model (looked up
	// in that order). Default: none.
	Quotas map[string]Quota
	// Faults are injected in order; the first that fires answers the call.
	// More can be added with Server.AddFault. Default: none.
	Faults []Fault
	// Seed seeds the random draws of Fault.Rate. Default 1.
	Seed int64
	// DeniedModels are model IDs (as called or base) whose calls get
	// AccessDeniedException, as when model access is not granted.
	DeniedModels []string
	// ProfileOnlyModels are base model IDs that cannot be called on demand
	// by their base ID: calls get the ValidationException that asks for an
	// inference profile. Calling them through a profile (us.<id>) works.
	ProfileOnlyModels []string
	// ContextWindows caps the input tokens per model ID (as called or
	// base); inputs beyond it get "Input is too long for requested model."
	// Default per family: Claude 200K, Nova 300K, Llama 128K, Mistral 32K,
	// Titan 8K. A SageMaker endpoint named here gets the TGI 422 input
	// validation error (as a ModelError) when input plus max new tokens
	// exceed it; endpoints not named have no limit.
	ContextWindows map[string]int
	// CacheMinTokens is the fewest tokens a cache point's prefix must hold
	// for it to be cached; shorter prefixes are silently not cached, as on
	// Bedrock. Default 1024.
	CacheMinTokens int
	// CacheTTL is how long an unused cached prefix lives, before TimeScale.
	// Default 5 minutes.
	CacheTTL time.Duration
	// Guardrails are the guardrail IDs that exist; others get
	// ResourceNotFoundException. Default: every ID exists.
	Guardrails []string
	// DeniedWords are words a guardrail blocks (case-insensitive).
	// Default ["xyzzy"].
	DeniedWords []string
	// PIINames are names a guardrail anonymises as {NAME}, besides the
	// emails, phone numbers, US social security and card numbers it always
	// finds. Default: none.
	PIINames []string
	// BlockedMessage is the text a guardrail answers with when it blocks.
	// Default "Sorry, the model cannot answer this question."
	BlockedMessage string
	// SageMakerEndpoints are the SageMaker endpoint names that exist;
	// others get ValidationError. Default: every name exists.
	SageMakerEndpoints []string
	// SageMakerNoUsage leaves "usage" out of OpenAI-style SageMaker answers,
	// as some containers do. Default false.
	SageMakerNoUsage bool
	// RecordRequests is how many of the latest requests Server.Requests
	// keeps; negative keeps none (for benchmarks). Default 256.
	RecordRequests int
	// Clock tells the time for quotas, caches and fault windows. Default
	// the system clock.
	Clock ticketsum.Clock
}

// Quota is a per-model quota over a sliding minute, enforced with
// ThrottlingException (HTTP 429).
type Quota struct {
	// RPM is the most requests per minute; 0 means no limit.
	RPM int
	// TPM is the most tokens per minute; 0 means no limit. A call counts
	// its input tokens plus cache-write tokens plus OutputBurn times its
	// output tokens; cache reads do not count. A call is admitted while the
	// window's count plus its own input tokens (plus max tokens when
	// ReserveMaxTokens) stays within TPM, and its output is added when it
	// completes.
	TPM int
	// OutputBurn multiplies output tokens in the TPM count (Bedrock burns
	// output at 5x for Claude 3.7 and later). Default 1.
	OutputBurn int
	// ReserveMaxTokens counts the request's max tokens at admission and
	// corrects the count to the real output when the call completes.
	ReserveMaxTokens bool
}

// FaultKind is a kind of injected failure.
type FaultKind string

// The faults the server can inject, with what the client sees.
const (
	FaultThrottle        FaultKind = "throttle"          // 429 ThrottlingException
	FaultUnavailable     FaultKind = "unavailable"       // 503 ServiceUnavailableException (SageMaker: ServiceUnavailable)
	FaultInternal        FaultKind = "internal"          // 500 InternalServerException (SageMaker: InternalFailure)
	FaultModelNotReady   FaultKind = "model_not_ready"   // 429 ModelNotReadyException
	FaultModelTimeout    FaultKind = "model_timeout"     // 408 ModelTimeoutException
	FaultModelError      FaultKind = "model_error"       // 424 ModelErrorException (SageMaker: ModelError)
	FaultQuotaExceeded   FaultKind = "quota_exceeded"    // 400 ServiceQuotaExceededException
	FaultAccessDenied    FaultKind = "access_denied"     // 403 AccessDeniedException, as when model access is not granted
	FaultValidation      FaultKind = "validation"        // 400 ValidationException (Fault.Message sets the text, e.g. the on-demand throughput one)
	FaultNotFound        FaultKind = "not_found"         // 404 ResourceNotFoundException (SageMaker: ValidationError "Endpoint ... not found")
	FaultOverloaded      FaultKind = "overloaded"        // SageMaker: 424 ModelError from a container's 429 "model overloaded"; Bedrock: 429 ThrottlingException
	FaultTimeout         FaultKind = "timeout"           // no answer until the client gives up or the server closes
	FaultStall           FaultKind = "stall"             // the answer comes after Fault.Delay; a client whose deadline is shorter gives up first (not charged)
	FaultMalformed       FaultKind = "malformed"         // 200 with a truncated JSON body or a corrupt stream frame
	FaultNoStatus        FaultKind = "no_status"         // 200, but the answer leaves the status out: no STATUS line, no "status" in a tool answer
	FaultDropAfterAnswer FaultKind = "drop_after_answer" // the model answers (charged, counted in Stats.Dropped) but the connection closes before the response is sent
)

// Fault injects a failure into matching calls.
type Fault struct {
	// Kind is what to inject.
	Kind FaultKind
	// Model limits the fault to a model ID (as called or base). Default all.
	Model string
	// Op limits the fault to an operation (OpConverse ...). Default all.
	Op string
	// Every fires on every Nth matching call (1st, N+1th ...: Every 5
	// fires on calls 5, 10, 15). Default: every call unless Rate is set.
	Every int
	// Rate fires on this fraction of matching calls, drawn from the
	// server's seeded random source.
	Rate float64
	// After and For bound when the fault is active, measured from the
	// server's start: from After, for For (0: for ever).
	After, For time.Duration
	// Limit is the most times the fault fires; 0 means no limit.
	Limit int
	// MidStream sends the fault on streaming operations as an exception
	// event after the first events of an answer (as throttlingException,
	// modelStreamErrorException ...), not as an HTTP error. Other
	// operations get the HTTP error. Error faults only.
	MidStream bool
	// Message replaces the error message of an error fault, e.g. "Invocation
	// of model ID x with on-demand throughput isn't supported." for
	// FaultValidation. Default: the service's usual message for the kind.
	Message string
	// Delay is how long FaultStall holds the answer back. Required for
	// FaultStall.
	Delay time.Duration
}

// Operation names, as Stats counts them.
const (
	OpConverse          = "Converse"
	OpConverseStream    = "ConverseStream"
	OpInvokeModel       = "InvokeModel"
	OpInvokeModelStream = "InvokeModelWithResponseStream"
	OpApplyGuardrail    = "ApplyGuardrail"
	OpInvokeEndpoint    = "InvokeEndpoint"
)

func (c Config) withDefaults() (Config, error) {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Responder == nil {
		c.Responder = DefaultResponder
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.CacheMinTokens == 0 {
		c.CacheMinTokens = 1024
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = 5 * time.Minute
	}
	if c.DeniedWords == nil {
		c.DeniedWords = []string{"xyzzy"}
	}
	if c.BlockedMessage == "" {
		c.BlockedMessage = "Sorry, the model cannot answer this question."
	}
	if c.RecordRequests == 0 {
		c.RecordRequests = 256
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	switch {
	case c.TimeScale < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrocktest: TimeScale %v is negative", c.TimeScale)
	case c.Latency < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrocktest: Latency %v is negative", c.Latency)
	case c.CacheMinTokens < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrocktest: CacheMinTokens %d is negative", c.CacheMinTokens)
	}
	for k, q := range c.Quotas {
		if q.RPM < 0 || q.TPM < 0 || q.OutputBurn < 0 {
			return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrocktest: quota for %q has a negative value", k)
		}
	}
	for i, f := range c.Faults {
		if err := f.validate(); err != nil {
			return c, ticketsum.Errorf(ticketsum.EINVALID, "bedrocktest: fault %d: %w", i, err)
		}
	}
	return c, nil
}
