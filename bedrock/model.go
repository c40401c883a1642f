package bedrock

import (
	"context"
	"log/slog"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// Model is a Bedrock model behind the ticketsum.Model interface.
type Model struct {
	cfg    Config
	ref    ModelRef
	region string
	// endpoint is the setting that gave the client its endpoint, "" for
	// Bedrock's own (see awsendpoint.Setting).
	endpoint string
	client   *bedrockruntime.Client
	logger   *slog.Logger
	clock    ticketsum.Clock
}

var _ ticketsum.Model = (*Model)(nil)

// New returns a Bedrock model. It loads the AWS configuration from the
// standard chain when cfg.AWS is nil, and returns EINVALID for a bad Config
// (no model ID, unknown API, invoke with a model whose family is unknown),
// of the configuration class (ticketsum.ClassConfig) when the environment
// gives no region.
func New(ctx context.Context, cfg Config) (*Model, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ref := ParseModelID(cfg.ModelID)
	if cfg.Family != "" {
		ref.Family = cfg.Family
	}
	if cfg.API == APIInvoke && ref.Family == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: cannot tell the model family of %s for InvokeModel: set the family (anthropic, nova, llama, mistral, titan) or use the converse API", cfg.ModelID)
	}
	awsCfg, err := loadAWS(ctx, cfg)
	if err != nil {
		return nil, err
	}
	client := bedrockruntime.NewFromConfig(awsCfg, clientOptions(cfg))
	return &Model{cfg: cfg, ref: ref, region: client.Options().Region, client: client, logger: cfg.Logger, clock: cfg.Clock,
		endpoint: awsendpoint.Setting(ctx, awsCfg, sdkID, client.Options().BaseEndpoint)}, nil
}

// sdkID is the SDK's name of the Bedrock runtime service.
const sdkID = "Bedrock Runtime"

// loadAWS returns cfg.AWS, or the standard chain's configuration, with a
// region.
func loadAWS(ctx context.Context, cfg Config) (aws.Config, error) {
	var awsCfg aws.Config
	if cfg.AWS != nil {
		awsCfg = cfg.AWS.Copy()
	} else {
		var opts []func(*config.LoadOptions) error
		if cfg.Region != "" {
			opts = append(opts, config.WithRegion(cfg.Region))
		}
		if cfg.Profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
		}
		var err error
		if awsCfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return awsCfg, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: load AWS configuration (check AWS_PROFILE and ~/.aws/config): %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if awsCfg.Credentials == nil {
		return awsCfg, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no AWS credentials found: set AWS_PROFILE (and run `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role")
	}
	if awsCfg.Region == "" {
		return awsCfg, configError(nil, "bedrock: no AWS region: set AWS_REGION, a region in the AWS profile (~/.aws/config), or aws.region in the ticketsum configuration")
	}
	return awsCfg, nil
}

// clientOptions turns off the SDK's retries (the gateway owns the only
// retry loop) and applies the endpoint override.
func clientOptions(cfg Config) func(*bedrockruntime.Options) {
	return func(o *bedrockruntime.Options) {
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 1
		if cfg.BaseEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.BaseEndpoint)
		}
	}
}

// Name returns "bedrock:<modelId>".
func (m *Model) Name() string { return "bedrock:" + m.cfg.ModelID }

// Ref returns the model ID taken apart.
func (m *Model) Ref() ModelRef { return m.ref }

// Generate sends req to Bedrock. Besides the codes of ticketsum.Model, it
// returns EFORBIDDEN when the guardrail blocks the input or output.
func (m *Model) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	start := m.clock.Now()
	var (
		resp *ticketsum.ModelResponse
		g    guardResult
		err  error
	)
	switch {
	case m.cfg.API == APIConverse && !m.cfg.Stream:
		resp, g, err = m.converse(ctx, req)
	case m.cfg.API == APIConverse:
		resp, g, err = m.converseStream(ctx, req)
	case !m.cfg.Stream:
		resp, g, err = m.invoke(ctx, req)
	default:
		resp, g, err = m.invokeStream(ctx, req)
	}
	if err != nil {
		err = m.translate(err)
		m.logger.DebugContext(ctx, "bedrock call failed", "model", m.cfg.ModelID, "code", ticketsum.ErrorCodeOf(err), "request_id", req.Meta.RequestID)
		return nil, err
	}
	if err := m.checkGuardrail(g); err != nil {
		return nil, err
	}
	resp.Model = m.Name()
	resp.Latency = since(m.clock, start)
	resp.Flags = append(resp.Flags, g.flags()...)
	resp.Usage.Guardrail = g.units
	m.logger.DebugContext(ctx, "bedrock call", "model", m.cfg.ModelID, "request_id", req.Meta.RequestID,
		"input_tokens", resp.Usage.InputTokens, "output_tokens", resp.Usage.OutputTokens,
		"cache_read", resp.Usage.CacheReadTokens, "cache_write", resp.Usage.CacheWriteTokens, "latency", resp.Latency)
	return resp, nil
}

func checkRequest(req *ticketsum.ModelRequest) error {
	if req == nil || len(req.Messages) == 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "model request has no messages")
	}
	for i, msg := range req.Messages {
		if msg.Role != ticketsum.ChatUser && msg.Role != ticketsum.ChatAssistant {
			return ticketsum.Errorf(ticketsum.EINVALID, "model request message %d has role %q (want user or assistant)", i+1, msg.Role)
		}
	}
	if req.MaxTokens < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "model request MaxTokens %d is negative", req.MaxTokens)
	}
	return nil
}

// maxTokens is the output cap of a request.
func (m *Model) maxTokens(req *ticketsum.ModelRequest) int {
	if req.MaxTokens > 0 {
		return req.MaxTokens
	}
	return m.cfg.MaxTokens
}

// cacheSystem reports whether to put a cache point after the system prompt:
// only with prompt caching configured, for a request that marks its system
// prompt static, on a model that caches, and when the system prompt reaches
// the model's minimum (a shorter prefix is not cached, so the point would
// only mislead).
func (m *Model) cacheSystem(req *ticketsum.ModelRequest) bool {
	return req.System != "" && m.cfg.PromptCaching && req.CacheSystem && m.ref.SupportsCaching() &&
		estimateTokens(req.System) >= m.cfg.CacheMinTokens
}

// estimateTokens estimates a text's tokens at four characters each, the
// ratio the prompt package budgets with.
func estimateTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }
