package bedrock

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum"
)

// streamChunk holds the fields of every family's stream chunk that the
// provider reads.
type streamChunk struct {
	// Claude
	Delta *struct {
		Type       string `json:"type"`
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	// Nova
	ContentBlockDelta *struct {
		Delta struct {
			Text string `json:"text"`
		} `json:"delta"`
	} `json:"contentBlockDelta"`
	MessageStop *struct {
		StopReason string `json:"stopReason"`
	} `json:"messageStop"`
	// Llama
	Generation *string `json:"generation"`
	StopReason *string `json:"stop_reason"`
	// Mistral
	Outputs []struct {
		Text       string  `json:"text"`
		StopReason *string `json:"stop_reason"`
	} `json:"outputs"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		StopReason *string `json:"stop_reason"`
	} `json:"choices"`
	// Titan
	OutputText       *string `json:"outputText"`
	CompletionReason *string `json:"completionReason"`
	// every family, on the last chunk
	Metrics *struct {
		InputTokenCount           int `json:"inputTokenCount"`
		OutputTokenCount          int `json:"outputTokenCount"`
		CacheReadInputTokenCount  int `json:"cacheReadInputTokenCount"`
		CacheWriteInputTokenCount int `json:"cacheWriteInputTokenCount"`
	} `json:"amazon-bedrock-invocationMetrics"`
}

// apply adds the chunk's text and stop reason.
func (c *streamChunk) apply(text *strings.Builder, stop *string) {
	set := func(p *string) {
		if p != nil && *p != "" {
			*stop = *p
		}
	}
	if d := c.Delta; d != nil {
		if d.Type == "text_delta" {
			text.WriteString(d.Text)
		}
		set(&d.StopReason)
	}
	if d := c.ContentBlockDelta; d != nil {
		text.WriteString(d.Delta.Text)
	}
	if c.MessageStop != nil {
		set(&c.MessageStop.StopReason)
	}
	if c.Generation != nil {
		text.WriteString(*c.Generation)
		set(c.StopReason)
	}
	for _, o := range c.Outputs {
		text.WriteString(o.Text)
		set(o.StopReason)
	}
	for _, ch := range c.Choices {
		text.WriteString(ch.Message.Content)
		set(ch.StopReason)
	}
	if c.OutputText != nil {
		text.WriteString(*c.OutputText)
		set(c.CompletionReason)
	}
}

func (m *Model) invokeStream(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	body, err := m.nativeBody(req)
	if err != nil {
		return nil, guardResult{}, err
	}
	in := &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String(m.cfg.ModelID), Body: body,
		ContentType: aws.String("application/json"), Accept: aws.String("application/json"),
	}
	if g := m.cfg.Guardrail; g.ID != "" {
		in.GuardrailIdentifier, in.GuardrailVersion = aws.String(g.ID), aws.String(g.Version)
		in.Trace = types.Trace(strings.ToUpper(g.Trace))
	}
	out, err := m.client.InvokeModelWithResponseStream(ctx, in)
	if err != nil {
		return nil, guardResult{}, err
	}
	stream := out.GetStream()
	defer stream.Close()
	var (
		text    strings.Builder
		resp    = &ticketsum.ModelResponse{}
		g       guardResult
		metrics bool
	)
	for ev := range stream.Events() {
		chunk, ok := ev.(*types.ResponseStreamMemberChunk)
		if !ok {
			continue
		}
		var c streamChunk
		var fields map[string]json.RawMessage
		if json.Unmarshal(chunk.Value.Bytes, &c) != nil || json.Unmarshal(chunk.Value.Bytes, &fields) != nil {
			return nil, guardResult{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock stream for %s sent a malformed chunk: retry", m.cfg.ModelID)
		}
		c.apply(&text, &resp.StopReason)
		g.addInvokeFields(fields)
		if mt := c.Metrics; mt != nil {
			metrics = true
			resp.Usage = ticketsum.Usage{InputTokens: mt.InputTokenCount, OutputTokens: mt.OutputTokenCount,
				CacheReadTokens: mt.CacheReadInputTokenCount, CacheWriteTokens: mt.CacheWriteInputTokenCount}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, guardResult{}, m.streamError(ctx, err)
	}
	if !metrics {
		return nil, guardResult{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock stream for %s ended without invocation metrics: retry", m.cfg.ModelID)
	}
	resp.Text = text.String()
	resp.StopReason = normalizeStop(resp.StopReason)
	return resp, g, nil
}
