package bedrocktest

import (
	"encoding/json"
	"errors"
	"fmt"
)

type converseRequest struct {
	Messages []struct {
		Role    string                       `json:"role"`
		Content []map[string]json.RawMessage `json:"content"`
	} `json:"messages"`
	System          []map[string]json.RawMessage `json:"system"`
	InferenceConfig *struct {
		MaxTokens     *int     `json:"maxTokens"`
		StopSequences []string `json:"stopSequences"`
	} `json:"inferenceConfig"`
	ToolConfig      *toolConfig `json:"toolConfig"`
	GuardrailConfig *struct {
		GuardrailIdentifier string `json:"guardrailIdentifier"`
		GuardrailVersion    string `json:"guardrailVersion"`
		Trace               string `json:"trace"`
	} `json:"guardrailConfig"`
}

// blockText returns the text of a Converse content or system block and
// whether the block is a cache point.
func blockText(b map[string]json.RawMessage) (text string, cachePoint bool, err error) {
	if raw, ok := b["text"]; ok {
		err = json.Unmarshal(raw, &text)
		return text, false, err
	}
	if _, ok := b["cachePoint"]; ok {
		return "", true, nil
	}
	if raw, ok := b["guardContent"]; ok {
		var g struct {
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		}
		err = json.Unmarshal(raw, &g)
		return g.Text.Text, false, err
	}
	return "", false, nil
}

func parseConverse(c *call, body []byte) error {
	var req converseRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	if len(req.Messages) == 0 {
		return errors.New("messages is required")
	}
	for _, b := range req.System {
		t, cp, err := blockText(b)
		if err != nil {
			return err
		}
		if cp {
			c.cacheCut = len(c.parts)
		} else if t != "" {
			c.parts = append(c.parts, t)
		}
	}
	for i, m := range req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return fmt.Errorf("messages[%d].role must be user or assistant", i)
		}
		var text string
		for _, b := range m.Content {
			t, cp, err := blockText(b)
			if err != nil {
				return err
			}
			if cp {
				c.cacheCut = len(c.parts)
			} else if t != "" {
				c.parts = append(c.parts, t)
				text += t
			}
		}
		if m.Role == "user" {
			c.prompt = text
		}
	}
	c.maxTokens = defaultMaxTokens
	if ic := req.InferenceConfig; ic != nil {
		if ic.MaxTokens != nil {
			c.maxTokens = *ic.MaxTokens
		}
		c.stop = ic.StopSequences
	}
	c.tools = req.ToolConfig
	if g := req.GuardrailConfig; g != nil {
		if g.GuardrailIdentifier == "" || g.GuardrailVersion == "" {
			return errors.New("guardrailConfig needs guardrailIdentifier and guardrailVersion")
		}
		c.guard = &guardSpec{id: g.GuardrailIdentifier, version: g.GuardrailVersion, trace: g.Trace == "enabled" || g.Trace == "enabled_full"}
	}
	return nil
}

func converseUsage(res *result) map[string]any {
	u := map[string]any{
		"inputTokens":  res.input,
		"outputTokens": res.output,
		"totalTokens":  res.input + res.output + res.cacheRead + res.cacheWrite,
	}
	if res.cacheRead > 0 || res.cacheWrite > 0 {
		u["cacheReadInputTokens"] = res.cacheRead
		u["cacheWriteInputTokens"] = res.cacheWrite
	}
	return u
}

// converseTrace is the guardrail trace of a Converse answer, or nil.
func converseTrace(c *call, res *result) map[string]any {
	if c.guard == nil || !c.guard.trace {
		return nil
	}
	g := map[string]any{}
	if res.guardIn != nil {
		g["inputAssessment"] = map[string]any{c.guard.id: res.guardIn.assessment()}
	}
	if res.guardOut != nil {
		g["outputAssessments"] = map[string]any{c.guard.id: []any{res.guardOut.assessment()}}
	}
	return map[string]any{"guardrail": g}
}

// toolUseID is the toolUseId of every tool call the fake answers with.
const toolUseID = "tooluse_fake0000000000000001"

func converseBody(c *call, res *result) map[string]any {
	content := map[string]any{"text": res.text}
	if res.toolInput != "" {
		content = map[string]any{"toolUse": map[string]any{
			"toolUseId": toolUseID, "name": res.tool, "input": json.RawMessage(res.toolInput),
		}}
	}
	b := map[string]any{
		"output": map[string]any{"message": map[string]any{
			"role":    "assistant",
			"content": []any{content},
		}},
		"stopReason": res.stop,
		"usage":      converseUsage(res),
		"metrics":    map[string]any{"latencyMs": res.latency.Milliseconds()},
	}
	if t := converseTrace(c, res); t != nil {
		b["trace"] = t
	}
	return b
}

// converseEvents are the ConverseStream events of an answer.
func converseEvents(c *call, res *result) []event {
	evs := []event{{"messageStart", map[string]any{"role": "assistant"}}}
	if res.toolInput != "" {
		evs = append(evs, event{"contentBlockStart", map[string]any{
			"contentBlockIndex": 0, "start": map[string]any{"toolUse": map[string]any{"toolUseId": toolUseID, "name": res.tool}},
		}})
		for _, piece := range pieces(res.toolInput) {
			evs = append(evs, event{"contentBlockDelta", map[string]any{
				"contentBlockIndex": 0, "delta": map[string]any{"toolUse": map[string]any{"input": piece}}, "p": "abcdefgh",
			}})
		}
	}
	for _, piece := range pieces(res.text) {
		if res.toolInput != "" {
			break
		}
		evs = append(evs, event{"contentBlockDelta", map[string]any{
			"contentBlockIndex": 0, "delta": map[string]any{"text": piece}, "p": "abcdefgh",
		}})
	}
	evs = append(evs,
		event{"contentBlockStop", map[string]any{"contentBlockIndex": 0}},
		event{"messageStop", map[string]any{"stopReason": res.stop}},
	)
	meta := map[string]any{"usage": converseUsage(res), "metrics": map[string]any{"latencyMs": res.latency.Milliseconds()}}
	if t := converseTrace(c, res); t != nil {
		meta["trace"] = t
	}
	return append(evs, event{"metadata", meta})
}
