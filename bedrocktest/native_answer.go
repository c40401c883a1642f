package bedrocktest

import "strings"

// familyStop maps a generic stop reason to the family's own.
func familyStop(family, stop string) string {
	switch family {
	case FamilyAnthropic:
		if stop == "guardrail_intervened" {
			return "end_turn"
		}
		return stop
	case FamilyNova:
		if stop == "guardrail_intervened" {
			return "content_filtered"
		}
		return stop
	case FamilyLlama, FamilyMistral:
		if stop == "max_tokens" {
			return "length"
		}
		return "stop"
	case FamilyTitan:
		switch stop {
		case "max_tokens":
			return "LENGTH"
		case "stop_sequence":
			return "STOP_CRITERIA_MET"
		case "guardrail_intervened":
			return "CONTENT_FILTERED"
		}
		return "FINISH"
	case FamilyCohere:
		if stop == "max_tokens" {
			return "MAX_TOKENS"
		}
		return "COMPLETE"
	}
	return stop
}

// nativeBody is the InvokeModel answer in the family's own format.
func nativeBody(c *call, res *result) map[string]any {
	stop := familyStop(c.family, res.stop)
	var b map[string]any
	switch c.family {
	case FamilyAnthropic:
		usage := map[string]any{"input_tokens": res.input, "output_tokens": res.output}
		if res.cacheRead > 0 || res.cacheWrite > 0 {
			usage["cache_read_input_tokens"] = res.cacheRead
			usage["cache_creation_input_tokens"] = res.cacheWrite
		}
		b = map[string]any{
			"id": "msg_bdrk_01fake", "type": "message", "role": "assistant",
			"model":         strings.TrimPrefix(c.base, "anthropic."),
			"content":       []any{map[string]any{"type": "text", "text": res.text}},
			"stop_reason":   stop,
			"stop_sequence": nil,
			"usage":         usage,
		}
	case FamilyNova:
		usage := map[string]any{"inputTokens": res.input, "outputTokens": res.output,
			"totalTokens":              res.input + res.output + res.cacheRead + res.cacheWrite,
			"cacheReadInputTokenCount": res.cacheRead, "cacheWriteInputTokenCount": res.cacheWrite}
		b = map[string]any{
			"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"text": res.text}}}},
			"stopReason": stop,
			"usage":      usage,
		}
	case FamilyLlama:
		b = map[string]any{"generation": res.text, "prompt_token_count": res.input, "generation_token_count": res.output, "stop_reason": stop}
	case FamilyMistral:
		if c.chat {
			b = map[string]any{"choices": []any{map[string]any{"index": 0,
				"message": map[string]any{"role": "assistant", "content": res.text}, "stop_reason": stop}}}
		} else {
			b = map[string]any{"outputs": []any{map[string]any{"text": res.text, "stop_reason": stop}}}
		}
	case FamilyTitan:
		b = map[string]any{"inputTextTokenCount": res.input,
			"results": []any{map[string]any{"tokenCount": res.output, "outputText": res.text, "completionReason": stop}}}
	case FamilyCohere:
		b = map[string]any{"response_id": "fake", "text": res.text, "generation_id": "fake", "finish_reason": stop,
			"meta": map[string]any{"billed_units": map[string]any{"input_tokens": res.input, "output_tokens": res.output}}}
	}
	addGuardFields(c, res, b)
	return b
}

// addGuardFields adds the guardrail action and trace InvokeModel answers
// carry when a guardrail is applied.
func addGuardFields(c *call, res *result, b map[string]any) {
	if c.guard == nil {
		return
	}
	action := "NONE"
	if res.stop == "guardrail_intervened" {
		action = "INTERVENED"
	}
	b["amazon-bedrock-guardrailAction"] = action
	if !c.guard.trace {
		return
	}
	g := map[string]any{}
	if res.guardIn != nil {
		g["input"] = map[string]any{c.guard.id: res.guardIn.assessment()}
	}
	if res.guardOut != nil {
		g["outputs"] = []any{map[string]any{c.guard.id: res.guardOut.assessment()}}
	}
	b["amazon-bedrock-trace"] = map[string]any{"guardrail": g}
}

// invocationMetrics is the block the last chunk of an InvokeModel stream
// carries. inputTokenCount excludes cache reads and writes, as Converse's
// inputTokens does.
func invocationMetrics(res *result) map[string]any {
	return map[string]any{
		"inputTokenCount":           res.input,
		"outputTokenCount":          res.output,
		"invocationLatency":         res.latency.Milliseconds(),
		"firstByteLatency":          res.latency.Milliseconds(),
		"cacheReadInputTokenCount":  res.cacheRead,
		"cacheWriteInputTokenCount": res.cacheWrite,
	}
}

// nativeChunks are the model-native JSON chunks of an
// InvokeModelWithResponseStream answer; the last carries the invocation
// metrics.
func nativeChunks(c *call, res *result) []map[string]any {
	stop := familyStop(c.family, res.stop)
	ps := pieces(res.text)
	var out []map[string]any
	switch c.family {
	case FamilyAnthropic:
		start := map[string]any{"input_tokens": res.input, "output_tokens": 1}
		if res.cacheRead > 0 || res.cacheWrite > 0 {
			start["cache_read_input_tokens"] = res.cacheRead
			start["cache_creation_input_tokens"] = res.cacheWrite
		}
		out = append(out,
			map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_bdrk_01fake", "type": "message", "role": "assistant",
				"model": strings.TrimPrefix(c.base, "anthropic."), "content": []any{}, "stop_reason": nil, "usage": start}},
			map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}})
		for _, p := range ps {
			out = append(out, map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": p}})
		}
		out = append(out,
			map[string]any{"type": "content_block_stop", "index": 0},
			map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": res.output}},
			map[string]any{"type": "message_stop"})
	case FamilyNova:
		out = append(out, map[string]any{"messageStart": map[string]any{"role": "assistant"}})
		for _, p := range ps {
			out = append(out, map[string]any{"contentBlockDelta": map[string]any{"delta": map[string]any{"text": p}, "contentBlockIndex": 0}})
		}
		out = append(out,
			map[string]any{"contentBlockStop": map[string]any{"contentBlockIndex": 0}},
			map[string]any{"messageStop": map[string]any{"stopReason": stop}},
			map[string]any{"metadata": map[string]any{"usage": map[string]any{"inputTokens": res.input, "outputTokens": res.output,
				"cacheReadInputTokenCount": res.cacheRead, "cacheWriteInputTokenCount": res.cacheWrite}}})
	default:
		for i, p := range ps {
			last := i == len(ps)-1
			var reason any
			if last {
				reason = stop
			}
			switch c.family {
			case FamilyLlama:
				out = append(out, map[string]any{"generation": p, "prompt_token_count": nil, "generation_token_count": Tokens(p), "stop_reason": reason})
			case FamilyMistral:
				if c.chat {
					out = append(out, map[string]any{"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": p}, "stop_reason": reason}}})
				} else {
					out = append(out, map[string]any{"outputs": []any{map[string]any{"text": p, "stop_reason": reason}}})
				}
			case FamilyTitan:
				out = append(out, map[string]any{"outputText": p, "index": 0, "totalOutputTextTokenCount": res.output, "completionReason": reason, "inputTextTokenCount": res.input})
			case FamilyCohere:
				out = append(out, map[string]any{"text": p, "is_finished": last, "finish_reason": reason})
			}
		}
	}
	last := out[len(out)-1]
	last["amazon-bedrock-invocationMetrics"] = invocationMetrics(res)
	addGuardFields(c, res, last)
	return out
}
