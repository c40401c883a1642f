package bedrock

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// nativeBody builds the InvokeModel body of a request in the family's own
// format. maxTokens is always set.
func (m *Model) nativeBody(req *ticketsum.ModelRequest) ([]byte, error) {
	max := m.maxTokens(req)
	var b map[string]any
	switch m.ref.Family {
	case FamilyAnthropic:
		b = map[string]any{"anthropic_version": "bedrock-2023-05-31", "max_tokens": max, "messages": anthropicMessages(req)}
		if req.System != "" {
			if m.cacheSystem(req) {
				b["system"] = []any{map[string]any{"type": "text", "text": req.System, "cache_control": map[string]any{"type": "ephemeral"}}}
			} else {
				b["system"] = req.System
			}
		}
		if len(req.StopSequences) > 0 {
			b["stop_sequences"] = req.StopSequences
		}
		if req.Temperature != nil {
			b["temperature"] = *req.Temperature
		}
	case FamilyNova:
		inf := map[string]any{"max_new_tokens": max}
		if req.Temperature != nil {
			inf["temperature"] = *req.Temperature
		}
		if len(req.StopSequences) > 0 {
			inf["stopSequences"] = req.StopSequences
		}
		msgs := make([]any, len(req.Messages))
		for i, msg := range req.Messages {
			msgs[i] = map[string]any{"role": string(msg.Role), "content": []any{map[string]any{"text": msg.Content}}}
		}
		b = map[string]any{"schemaVersion": "messages-v1", "messages": msgs, "inferenceConfig": inf}
		if req.System != "" {
			sys := []any{map[string]any{"text": req.System}}
			if m.cacheSystem(req) {
				sys = append(sys, map[string]any{"cachePoint": map[string]any{"type": "default"}})
			}
			b["system"] = sys
		}
	case FamilyLlama:
		b = map[string]any{"prompt": llamaPrompt(req), "max_gen_len": max}
		if req.Temperature != nil {
			b["temperature"] = *req.Temperature
		}
	case FamilyMistral:
		if m.ref.mistralChat() {
			msgs := []any{}
			if req.System != "" {
				msgs = append(msgs, map[string]any{"role": "system", "content": req.System})
			}
			for _, msg := range req.Messages {
				msgs = append(msgs, map[string]any{"role": string(msg.Role), "content": msg.Content})
			}
			b = map[string]any{"messages": msgs, "max_tokens": max}
		} else {
			b = map[string]any{"prompt": mistralPrompt(req), "max_tokens": max}
			if len(req.StopSequences) > 0 {
				b["stop"] = req.StopSequences
			}
		}
		if req.Temperature != nil {
			b["temperature"] = *req.Temperature
		}
	case FamilyTitan:
		tg := map[string]any{"maxTokenCount": max}
		if req.Temperature != nil {
			tg["temperature"] = *req.Temperature
		}
		if len(req.StopSequences) > 0 {
			tg["stopSequences"] = req.StopSequences
		}
		b = map[string]any{"inputText": titanPrompt(req), "textGenerationConfig": tg}
	default:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock: no InvokeModel body for %s: use the converse API", m.cfg.ModelID)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <|eot_id|> and <s> readable in logs
	if err := enc.Encode(b); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "bedrock: encode %s body: %w", m.ref.Family, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func anthropicMessages(req *ticketsum.ModelRequest) []any {
	msgs := make([]any, len(req.Messages))
	for i, msg := range req.Messages {
		msgs[i] = map[string]any{"role": string(msg.Role), "content": []any{map[string]any{"type": "text", "text": msg.Content}}}
	}
	return msgs
}

// llamaPrompt renders the Llama 3 chat template.
func llamaPrompt(req *ticketsum.ModelRequest) string {
	var b strings.Builder
	b.WriteString("<|begin_of_text|>")
	turn := func(role, text string) {
		b.WriteString("<|start_header_id|>" + role + "<|end_header_id|>\n\n" + text + "<|eot_id|>")
	}
	if req.System != "" {
		turn("system", req.System)
	}
	for _, msg := range req.Messages {
		turn(string(msg.Role), msg.Content)
	}
	b.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
	return b.String()
}

// mistralPrompt renders Mistral's [INST] template, the system prompt
// leading the first user turn.
func mistralPrompt(req *ticketsum.ModelRequest) string {
	var b strings.Builder
	b.WriteString("<s>")
	system := req.System
	for _, msg := range req.Messages {
		if msg.Role == ticketsum.ChatUser {
			text := msg.Content
			if system != "" {
				text, system = system+"\n\n"+text, ""
			}
			b.WriteString("[INST] " + text + " [/INST]")
		} else {
			b.WriteString(" " + msg.Content + "</s>")
		}
	}
	return b.String()
}

// titanPrompt renders Titan's "User: / Bot:" template.
func titanPrompt(req *ticketsum.ModelRequest) string {
	var b strings.Builder
	if req.System != "" {
		b.WriteString(req.System + "\n\n")
	}
	for _, msg := range req.Messages {
		if msg.Role == ticketsum.ChatUser {
			b.WriteString("User: " + msg.Content + "\n")
		} else {
			b.WriteString("Bot: " + msg.Content + "\n")
		}
	}
	b.WriteString("Bot:")
	return b.String()
}
