package bedrock

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// converseParts builds the parts of a Converse request shared by the
// streaming and non-streaming operations.
func (m *Model) converseParts(req *ticketsum.ModelRequest) ([]types.SystemContentBlock, []types.Message, *types.InferenceConfiguration, *types.GuardrailConfiguration) {
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
	return system, msgs, inf, guard
}

func (m *Model) converse(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	system, msgs, inf, guard := m.converseParts(req)
	out, err := m.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(m.cfg.ModelID), System: system, Messages: msgs, InferenceConfig: inf, GuardrailConfig: guard,
	})
	if err != nil {
		return nil, guardResult{}, err
	}
	resp := &ticketsum.ModelResponse{StopReason: string(out.StopReason), Usage: usageOf(out.Usage)}
	if msg, ok := out.Output.(*types.ConverseOutputMemberMessage); ok {
		resp.Text = textOf(msg.Value.Content)
	}
	g := guardResult{intervened: out.StopReason == types.StopReasonGuardrailIntervened}
	if out.Trace != nil {
		g.addTrace(out.Trace.Guardrail)
	}
	return resp, g, nil
}

func (m *Model) converseStream(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	system, msgs, inf, guard := m.converseParts(req)
	in := &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(m.cfg.ModelID), System: system, Messages: msgs, InferenceConfig: inf,
	}
	if guard != nil {
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
		text    strings.Builder
		resp    = &ticketsum.ModelResponse{}
		g       guardResult
		gotMeta bool
	)
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			if d, ok := v.Value.Delta.(*types.ContentBlockDeltaMemberText); ok {
				text.WriteString(d.Value)
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
