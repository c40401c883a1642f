package bedrocktest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// toolsWith is a toolConfig with one tool "record" and the given choice.
func toolsWith(choice types.ToolChoice) *types.ToolConfiguration {
	schema := map[string]any{"type": "object", "properties": map[string]any{"summary": map[string]any{"type": "string"}}}
	return &types.ToolConfiguration{
		Tools: []types.Tool{&types.ToolMemberToolSpec{Value: types.ToolSpecification{
			Name: aws.String("record"), InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(schema)},
		}}},
		ToolChoice: choice,
	}
}

func TestToolChoiceIsRefusedWhereBedrockRefusesIt(t *testing.T) {
	t.Parallel()
	named := &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String("record")}}
	anyTool := &types.ToolChoiceMemberAny{}
	tests := []struct {
		model   string
		choice  types.ToolChoice
		refusal string // "" when accepted
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", named, ""},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", anyTool, ""},
		{"amazon.nova-pro-v1:0", named, ""},
		{"amazon.nova-pro-v1:0", anyTool, "This model doesn't support the toolConfig.toolChoice.any field. Remove toolConfig.toolChoice.any and try again."},
		{"mistral.mistral-large-2407-v1:0", anyTool, ""},
		{"mistral.mistral-large-2407-v1:0", named, "This model doesn't support the toolConfig.toolChoice.tool field."},
		{"meta.llama3-3-70b-instruct-v1:0", anyTool, "This model doesn't support the toolConfig.toolChoice.any field."},
		{"meta.llama3-3-70b-instruct-v1:0", &types.ToolChoiceMemberAuto{}, ""},
		{"amazon.titan-text-express-v1", &types.ToolChoiceMemberAuto{}, "This model doesn't support tool use."},
		{"mistral.mixtral-8x7b-instruct-v0:1", named, "This model doesn't support tool use."},
	}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	client := newClient(srv)
	for _, tt := range tests {
		in := converseInput(tt.model, "", "The sync fails. It is resolved now.")
		in.ToolConfig = toolsWith(tt.choice)
		out, err := client.Converse(context.Background(), in)
		if tt.refusal != "" {
			var ae smithy.APIError
			if errorCode(err) != "ValidationException" || !errors.As(err, &ae) || !strings.HasPrefix(ae.ErrorMessage(), tt.refusal) {
				t.Errorf("%s %T: err = %v, want ValidationException %q", tt.model, tt.choice, err, tt.refusal)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %T: %v", tt.model, tt.choice, err)
			continue
		}
		msg := out.Output.(*types.ConverseOutputMemberMessage).Value
		_, isTool := msg.Content[0].(*types.ContentBlockMemberToolUse)
		forced := tt.choice != nil && !isAuto(tt.choice)
		if isTool != forced || (out.StopReason == types.StopReasonToolUse) != forced {
			t.Errorf("%s %T: tool use %v stop %s, want tool use only when forced", tt.model, tt.choice, isTool, out.StopReason)
		}
	}
}

func isAuto(c types.ToolChoice) bool {
	_, ok := c.(*types.ToolChoiceMemberAuto)
	return ok
}

func TestForcedToolAnswerCarriesSummaryAndStatus(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(model, prompt string) string {
		return "The agent reset the password.\nSTATUS: resolved"
	}})
	client := newClient(srv)
	in := converseInput("anthropic.claude-3-5-haiku-20241022-v1:0", "", "I cannot log in.")
	in.ToolConfig = toolsWith(&types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String("record")}})
	out, err := client.Converse(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	tu := out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberToolUse).Value
	var got map[string]string
	if err := tu.Input.UnmarshalSmithyDocument(&got); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(tu.Name) != "record" || got["summary"] != "The agent reset the password." || got["status"] != "resolved" {
		t.Errorf("tool use %s %v", aws.ToString(tu.Name), got)
	}
}
