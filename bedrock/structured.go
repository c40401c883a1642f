package bedrock

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// toolConfig returns the Converse tool configuration that forces a model to
// answer with req.Output's object: one tool whose input schema is the
// object's, chosen by name or as "any" per ForcedToolChoice. It returns nil
// when the request asks for no structured output or the model accepts no
// forced tool choice (the model then answers in text), and EINVALID for a
// schema that is not JSON.
func (m *Model) toolConfig(req *ticketsum.ModelRequest) (*types.ToolConfiguration, error) {
	out := req.Output
	choice := m.ref.ForcedToolChoice()
	if out == nil || choice == "" {
		return nil, nil
	}
	var schema any
	if err := json.Unmarshal(out.Schema, &schema); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "structured output %q: schema is not JSON: %v", out.Name, err)
	}
	spec := types.ToolSpecification{
		Name:        aws.String(out.Name),
		InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(schema)},
	}
	if out.Description != "" {
		spec.Description = aws.String(out.Description)
	}
	tc := &types.ToolConfiguration{Tools: []types.Tool{&types.ToolMemberToolSpec{Value: spec}}}
	if choice == ChoiceTool {
		tc.ToolChoice = &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(out.Name)}}
	} else {
		tc.ToolChoice = &types.ToolChoiceMemberAny{Value: types.AnyToolChoice{}}
	}
	return tc, nil
}

// answerOf returns the answer in a Converse message's content: the input
// of its tool use as JSON when there is one (structured output), else its
// text.
func answerOf(blocks []types.ContentBlock) (text string, structured bool) {
	for _, c := range blocks {
		if tu, ok := c.(*types.ContentBlockMemberToolUse); ok && tu.Value.Input != nil {
			if b, err := tu.Value.Input.MarshalSmithyDocument(); err == nil {
				return string(b), true
			}
		}
	}
	return textOf(blocks), false
}
