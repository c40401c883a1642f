package bedrockeval

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
)

// BedrockAPI is the part of *bedrock.Client the package uses.
type BedrockAPI interface {
	CreateEvaluationJob(ctx context.Context, in *bedrock.CreateEvaluationJobInput, opts ...func(*bedrock.Options)) (*bedrock.CreateEvaluationJobOutput, error)
	GetEvaluationJob(ctx context.Context, in *bedrock.GetEvaluationJobInput, opts ...func(*bedrock.Options)) (*bedrock.GetEvaluationJobOutput, error)
}

var _ BedrockAPI = (*bedrock.Client)(nil)

// DefaultJudgeMetrics are the built-in metrics LLM-as-judge jobs compute.
var DefaultJudgeMetrics = []string{"Builtin.Correctness", "Builtin.Completeness", "Builtin.Faithfulness", "Builtin.ProfessionalStyleAndTone", "Builtin.Harmfulness"}

// Config configures a Client.
type Config struct {
	// Bedrock is the control-plane client. Required.
	Bedrock BedrockAPI
	// S3 uploads datasets and reads results: the S3 client of the
	// governance config's bucket (the invocation log's S3 sink). Required.
	S3 audit.S3API
	// Bucket holds datasets and results. Required.
	Bucket string
	// Prefix starts every key. Default "bedrock-evaluations/".
	Prefix string
	// RoleARN is the IAM role Bedrock assumes to read the datasets and
	// write results (config aws.evaluation.role_arn). Required.
	RoleARN string
	// JudgeModel is the evaluator model of LLM-as-judge jobs. Required for
	// them.
	JudgeModel string
	// Metrics are the judge's built-in metrics. Default DefaultJudgeMetrics.
	Metrics []string
	// FlowDefinitionARN is the human work team's flow definition (Amazon
	// SageMaker Ground Truth). Required for human jobs.
	FlowDefinitionARN string
}

// Client submits and imports evaluation jobs.
type Client struct {
	cfg Config
}

// New checks cfg and returns a Client, or EINVALID naming the missing
// setting.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Bedrock == nil || cfg.S3 == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock evaluation: the Bedrock and S3 clients are required")
	case cfg.Bucket == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock evaluation needs an S3 bucket (config governance.s3_bucket)")
	case cfg.RoleARN == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock evaluation needs the IAM role Bedrock assumes (config aws.evaluation.role_arn)")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "bedrock-evaluations/"
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.Metrics == nil {
		cfg.Metrics = DefaultJudgeMetrics
	}
	return &Client{cfg: cfg}, nil
}
