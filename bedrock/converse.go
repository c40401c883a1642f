package bedrock

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// converseParts builds the parts of a Converse request, and EINVALID for a
// structured output whose schema is not JSON.
func (m *Model) converseParts(req *ticketsum.ModelRequest) (*converseParts, error) {
	var system []types.SystemContentBlock
	if req.System != "" {
		system = append(system, &types.SystemContentBlockMemberText{Value: req.System})
		if m.cacheSystem(req) {
			system = append(system, &types.SystemContentBlockMemberCachePoint{Value: types.CachePointBlock{Type: types.CachePointTypeDefault}})
		}
	}
	msgs := make([]types.Message, len(req.Messages))
	for i, msg := range req.Messages {
		msgs[i] = types.Message{
			Role:    types.ConversationRole(msg.Role),
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: msg.Content}},
		}
	}
	inf := &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(m.maxTokens(req)))}
	if req.Temperature != nil {
		inf.Temperature = aws.Float32(float32(*req.Temperature))
	}
	inf.StopSequences = req.StopSequences
	var guard *types.GuardrailConfiguration
	if g := m.cfg.Guardrail; g.ID != "" {
		guard = &types.GuardrailConfiguration{
			GuardrailIdentifier: aws.String(g.ID),
			GuardrailVersion:    aws.String(g.Version),
			Trace:               types.GuardrailTrace(g.Trace),
		}
	}
	tools, err := m.toolConfig(req)
	if err != nil {
		return nil, err
	}
	return &converseParts{system: system, msgs: msgs, inf: inf, guard: guard, tools: tools}, nil
}

// converseParts are the parts of a Converse request shared by the streaming
// and non-streaming operations.
type converseParts struct {
	system []types.SystemContentBlock
	msgs   []types.Message
	inf    *types.InferenceConfiguration
	guard  *types.GuardrailConfiguration
	tools  *types.ToolConfiguration
}

func (m *Model) converse(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	p, err := m.converseParts(req)
	if err != nil {
		return nil, guardResult{}, err
	}
	out, err := m.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(m.cfg.ModelID), System: p.system, Messages: p.msgs, InferenceConfig: p.inf,
		GuardrailConfig: p.guard, ToolConfig: p.tools,
	})
	if err != nil {
		return nil, guardResult{}, err
	}
	resp := &ticketsum.ModelResponse{StopReason: string(out.StopReason), Usage: usageOf(out.Usage)}
	if msg, ok := out.Output.(*types.ConverseOutputMemberMessage); ok {
		resp.Text, resp.Structured = answerOf(msg.Value.Content)
	}
	g := guardResult{intervened: out.StopReason == types.StopReasonGuardrailIntervened}
	if out.Trace != nil {
		g.addTrace(out.Trace.Guardrail)
	}
	return resp, g, nil
}

func (m *Model) converseStream(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	p, err := m.converseParts(req)
	if err != nil {
		return nil, guardResult{}, err
	}
	in := &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(m.cfg.ModelID), System: p.system, Messages: p.msgs, InferenceConfig: p.inf, ToolConfig: p.tools,
	}
	if guard := p.guard; guard != nil {
		in.GuardrailConfig = &types.GuardrailStreamConfiguration{
			GuardrailIdentifier: guard.GuardrailIdentifier, GuardrailVersion: guard.GuardrailVersion,
			Trace: guard.Trace, StreamProcessingMode: types.GuardrailStreamProcessingModeSync,
		}
	}
	out, err := m.client.ConverseStream(ctx, in)
	if err != nil {
		return nil, guardResult{}, err
	}
	stream := out.GetStream()
	defer stream.Close()
	var (
		text, tool strings.Builder
		resp       = &ticketsum.ModelResponse{}
		g          guardResult
		gotMeta    bool
	)
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockStart:
			if _, ok := v.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
				resp.Structured = true
			}
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			switch d := v.Value.Delta.(type) {
			case *types.ContentBlockDeltaMemberText:
				text.WriteString(d.Value)
			case *types.ContentBlockDeltaMemberToolUse:
				tool.WriteString(aws.ToString(d.Value.Input))
			}
		case *types.ConverseStreamOutputMemberMessageStop:
			resp.StopReason = string(v.Value.StopReason)
			g.intervened = v.Value.StopReason == types.StopReasonGuardrailIntervened
		case *types.ConverseStreamOutputMemberMetadata:
			gotMeta = true
			resp.Usage = usageOf(v.Value.Usage)
			if v.Value.Trace != nil {
				g.addTrace(v.Value.Trace.Guardrail)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, guardResult{}, m.streamError(ctx, err)
	}
	if !gotMeta {
		return nil, guardResult{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock stream for %s ended without its metadata event: retry", m.cfg.ModelID)
	}
	resp.Text = text.String()
	if resp.Structured {
		resp.Text = tool.String()
	}
	return resp, g, nil
}

// usageOf maps Converse usage. Bedrock's inputTokens excludes cache reads
// and writes, as ticketsum.Usage.InputTokens does.
func usageOf(u *types.TokenUsage) ticketsum.Usage {
	if u == nil {
		return ticketsum.Usage{}
	}
	i := func(p *int32) int {
		if p == nil {
			return 0
		}
		return int(*p)
	}
	return ticketsum.Usage{
		InputTokens:      i(u.InputTokens),
		OutputTokens:     i(u.OutputTokens),
		CacheReadTokens:  i(u.CacheReadInputTokens),
		CacheWriteTokens: i(u.CacheWriteInputTokens),
	}
}

func textOf(blocks []types.ContentBlock) string {
	var b strings.Builder
	for _, c := range blocks {
		if t, ok := c.(*types.ContentBlockMemberText); ok {
			b.WriteString(t.Value)
		}
	}
	return b.String()
}
