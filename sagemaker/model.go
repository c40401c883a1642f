package sagemaker

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// Model is a SageMaker endpoint behind the ticketsum.Model interface.
type Model struct {
	cfg    Config
	region string
	// endpoint is the setting that gave the client its endpoint, "" for
	// SageMaker's own (see awsendpoint.Setting).
	endpoint string
	client   *sagemakerruntime.Client
	logger   *slog.Logger
	clock    ticketsum.Clock
}

var _ ticketsum.Model = (*Model)(nil)

// New returns a SageMaker endpoint model. It loads the AWS configuration
// from the standard chain when cfg.AWS is nil, and returns EINVALID for a
// bad Config (of the configuration class, ticketsum.ClassConfig, when the
// environment gives no region) and EUNAUTHORIZED when cfg.AWS has no
// credentials.
func New(ctx context.Context, cfg Config) (*Model, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
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
		if awsCfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "sagemaker: load AWS configuration (check AWS_PROFILE and ~/.aws/config): %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	switch {
	case awsCfg.Credentials == nil:
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no AWS credentials found: set AWS_PROFILE (and run `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role")
	case awsCfg.Region == "":
		return nil, configError(nil, "sagemaker: no AWS region: set AWS_REGION, a region in the AWS profile (~/.aws/config), or aws.region in the ticketsum configuration")
	}
	client := sagemakerruntime.NewFromConfig(awsCfg, func(o *sagemakerruntime.Options) {
		o.Retryer = aws.NopRetryer{} // the gateway owns the only retry loop
		o.RetryMaxAttempts = 1
		if cfg.BaseEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.BaseEndpoint)
		}
	})
	return &Model{cfg: cfg, region: client.Options().Region, client: client, logger: cfg.Logger, clock: cfg.Clock,
		endpoint: awsendpoint.Setting(ctx, awsCfg, sdkID, client.Options().BaseEndpoint)}, nil
}

// sdkID is the SDK's name of the SageMaker runtime service.
const sdkID = "SageMaker Runtime"

// Name returns "sagemaker:<endpoint>".
func (m *Model) Name() string { return "sagemaker:" + m.cfg.Endpoint }

// Generate calls the endpoint. It returns the codes of ticketsum.Model.
func (m *Model) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	body, input, err := m.body(req)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "sagemaker: encode request: %w", err)
	}
	in := &sagemakerruntime.InvokeEndpointInput{
		EndpointName: aws.String(m.cfg.Endpoint), Body: body,
		ContentType: aws.String("application/json"), Accept: aws.String("application/json"),
	}
	if m.cfg.InferenceComponent != "" {
		in.InferenceComponentName = aws.String(m.cfg.InferenceComponent)
	}
	if m.cfg.CustomAttributes != "" {
		in.CustomAttributes = aws.String(m.cfg.CustomAttributes)
	}
	start := m.clock.Now()
	out, err := m.client.InvokeEndpoint(ctx, in)
	if err != nil {
		err = m.translate(err)
		m.logger.DebugContext(ctx, "sagemaker call failed", "endpoint", m.cfg.Endpoint, "code", ticketsum.ErrorCodeOf(err), "request_id", req.Meta.RequestID)
		return nil, err
	}
	a, ok := parseAnswer(m.cfg.Payload, out.Body)
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker endpoint %s returned an answer that is not %s style: check the payload setting, or retry", m.cfg.Endpoint, m.cfg.Payload)
	}
	resp := &ticketsum.ModelResponse{Text: a.text, Model: m.Name(), StopReason: a.stop, Usage: a.usage, Latency: m.clock.Now().Sub(start)}
	if !a.reportsUsage {
		resp.Usage = ticketsum.Usage{InputTokens: EstimateTokens(input), OutputTokens: EstimateTokens(a.text)}
		resp.Flags = append(resp.Flags, FlagEstimatedUsage)
	}
	m.logger.DebugContext(ctx, "sagemaker call", "endpoint", m.cfg.Endpoint, "request_id", req.Meta.RequestID,
		"input_tokens", resp.Usage.InputTokens, "output_tokens", resp.Usage.OutputTokens, "estimated", !a.reportsUsage, "latency", resp.Latency)
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
