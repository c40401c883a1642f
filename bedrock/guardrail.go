package bedrock

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// Sources of text a guardrail checks.
const (
	SourceInput  = "INPUT"  // text on its way to a model
	SourceOutput = "OUTPUT" // text a model wrote
)

// GuardrailClientConfig configures a Guardrail.
type GuardrailClientConfig struct {
	// Guardrail names the guardrail. ID is required; Version defaults to
	// "DRAFT".
	Guardrail GuardrailConfig
	// Region overrides the region of AWS. Default: the region of AWS.
	Region string
	// Profile selects a shared-config profile when AWS is nil.
	Profile string
	// BaseEndpoint overrides the endpoint. Default: the resolved one.
	BaseEndpoint string
	// AWS is the AWS configuration. Default config.LoadDefaultConfig.
	AWS *aws.Config
}

// Guardrail applies a Bedrock guardrail to text on its own, with
// ApplyGuardrail, for the guard package.
type Guardrail struct {
	cfg    GuardrailClientConfig
	client *bedrockruntime.Client
	errs   *Model // translates errors
}

// NewGuardrail returns a Guardrail. It returns EINVALID for a Config without
// a guardrail ID or region.
func NewGuardrail(ctx context.Context, cfg GuardrailClientConfig) (*Guardrail, error) {
	g, err := cfg.Guardrail.withDefaults()
	if err != nil {
		return nil, err
	}
	if g.ID == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: guardrail has no ID")
	}
	cfg.Guardrail = g
	base := Config{Guardrail: g, Region: cfg.Region, Profile: cfg.Profile, BaseEndpoint: cfg.BaseEndpoint, AWS: cfg.AWS, ModelID: "guardrail/" + g.ID}
	awsCfg, err := loadAWS(ctx, base)
	if err != nil {
		return nil, err
	}
	client := bedrockruntime.NewFromConfig(awsCfg, clientOptions(base))
	return &Guardrail{cfg: cfg, client: client, errs: &Model{cfg: base, region: client.Options().Region, logger: slog.Default()}}, nil
}

// Apply checks text from source (SourceInput or SourceOutput), sent as one
// content block. It returns the text to use (masked when the guardrail
// anonymised personal data, the guardrail's blocked message when it
// blocked, text itself otherwise), the action (ActionNone, ActionAnonymized
// or ActionBlocked: BLOCKED wins over ANONYMIZED) and the findings, which
// never hold the matched text. Errors are coded as for Model.Generate.
func (g *Guardrail) Apply(ctx context.Context, source, text string) (masked, action string, details []Finding, err error) {
	if source != SourceInput && source != SourceOutput {
		return "", "", nil, ticketsum.Errorf(ticketsum.EINVALID, "guardrail source %q is not INPUT or OUTPUT", source)
	}
	out, err := g.client.ApplyGuardrail(ctx, &bedrockruntime.ApplyGuardrailInput{
		GuardrailIdentifier: aws.String(g.cfg.Guardrail.ID),
		GuardrailVersion:    aws.String(g.cfg.Guardrail.Version),
		Source:              types.GuardrailContentSource(source),
		Content:             []types.GuardrailContentBlock{&types.GuardrailContentBlockMemberText{Value: types.GuardrailTextBlock{Text: aws.String(text)}}},
	})
	if err != nil {
		return "", "", nil, g.errs.translate(err)
	}
	src := strings.ToLower(source)
	for _, a := range out.Assessments {
		details = append(details, findingsOf(src, a)...)
	}
	action, masked = ActionNone, text
	if out.Action != types.GuardrailActionGuardrailIntervened {
		return masked, action, details, nil
	}
	action = ActionAnonymized
	for _, f := range details {
		if f.Action == ActionBlocked {
			action = ActionBlocked
		}
	}
	if len(details) == 0 {
		action = ActionBlocked // intervened with no assessment to say it only masked
	}
	if len(out.Outputs) > 0 && out.Outputs[0].Text != nil {
		var b strings.Builder
		for _, o := range out.Outputs {
			if o.Text != nil {
				b.WriteString(*o.Text)
			}
		}
		masked = b.String()
	}
	return masked, action, details, nil
}
