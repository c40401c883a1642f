package bedrocktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// parseNative parses an InvokeModel body in the model family's own format.
func parseNative(c *call, body []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("body is not a JSON object: %v", err)
	}
	switch c.family {
	case FamilyAnthropic:
		return parseAnthropic(c, m)
	case FamilyNova:
		return parseNova(c, m)
	case FamilyLlama:
		return parseTextFamily(c, m, "prompt", "max_gen_len", 512, "")
	case FamilyMistral:
		if _, ok := m["messages"]; ok {
			return parseMistralChat(c, m)
		}
		return parseTextFamily(c, m, "prompt", "max_tokens", 512, "stop")
	case FamilyTitan:
		return parseTitan(c, m)
	case FamilyCohere:
		return parseTextFamily(c, m, "message", "max_tokens", 512, "stop_sequences")
	}
	return errors.New("unsupported model family")
}

func required(m map[string]json.RawMessage, key string, v any) error {
	raw, ok := m[key]
	if !ok {
		return fmt.Errorf("#: required key [%s] not found", key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("#/%s: %v", key, err)
	}
	return nil
}

func optional(m map[string]json.RawMessage, key string, v any) error {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("#/%s: %v", key, err)
	}
	return nil
}

// anthropicBlocks reads an Anthropic content value: a string or a list of
// {"type":"text","text":..,"cache_control":..} blocks. It appends the texts
// to c.parts, moves the cache cut after blocks with cache_control, and
// returns the joined text.
func anthropicBlocks(c *call, raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		c.parts = append(c.parts, s)
		return s, nil
	}
	var blocks []struct {
		Type         string          `json:"type"`
		Text         string          `json:"text"`
		CacheControl json.RawMessage `json:"cache_control"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", errors.New("content must be a string or a list of blocks")
	}
	var text string
	for _, b := range blocks {
		if b.Type == "text" {
			c.parts = append(c.parts, b.Text)
			text += b.Text
		}
		if len(b.CacheControl) > 0 {
			c.cacheCut = len(c.parts)
		}
	}
	return text, nil
}

func parseAnthropic(c *call, m map[string]json.RawMessage) error {
	var version string
	if err := required(m, "anthropic_version", &version); err != nil {
		return err
	}
	if version != "bedrock-2023-05-31" {
		return fmt.Errorf("#/anthropic_version: %s is not a valid enum value", version)
	}
	if err := required(m, "max_tokens", &c.maxTokens); err != nil {
		return err
	}
	if raw, ok := m["system"]; ok {
		if _, err := anthropicBlocks(c, raw); err != nil {
			return fmt.Errorf("#/system: %v", err)
		}
	}
	var msgs []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := required(m, "messages", &msgs); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return errors.New("#/messages: expected minimum item count: 1")
	}
	for _, msg := range msgs {
		t, err := anthropicBlocks(c, msg.Content)
		if err != nil {
			return fmt.Errorf("#/messages: %v", err)
		}
		if msg.Role == "user" {
			c.prompt = t
		}
	}
	return optional(m, "stop_sequences", &c.stop)
}

func parseNova(c *call, m map[string]json.RawMessage) error {
	var system []map[string]json.RawMessage
	if err := optional(m, "system", &system); err != nil {
		return err
	}
	for _, b := range system {
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
	var msgs []struct {
		Role    string                       `json:"role"`
		Content []map[string]json.RawMessage `json:"content"`
	}
	if err := required(m, "messages", &msgs); err != nil {
		return err
	}
	for _, msg := range msgs {
		var text string
		for _, b := range msg.Content {
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
		if msg.Role == "user" {
			c.prompt = text
		}
	}
	var ic struct {
		MaxNewTokens  *int     `json:"max_new_tokens"`
		MaxTokens     *int     `json:"maxTokens"`
		StopSequences []string `json:"stopSequences"`
	}
	if err := optional(m, "inferenceConfig", &ic); err != nil {
		return err
	}
	c.maxTokens = defaultMaxTokens
	if ic.MaxNewTokens != nil {
		c.maxTokens = *ic.MaxNewTokens
	} else if ic.MaxTokens != nil {
		c.maxTokens = *ic.MaxTokens
	}
	c.stop = ic.StopSequences
	return nil
}

// parseTextFamily parses a prompt-completion body (Llama, Mistral text,
// Cohere): a required prompt key, an optional max-tokens key and stop key.
func parseTextFamily(c *call, m map[string]json.RawMessage, promptKey, maxKey string, defMax int, stopKey string) error {
	var prompt string
	if err := required(m, promptKey, &prompt); err != nil {
		return err
	}
	c.parts = []string{prompt}
	c.prompt = userText(prompt)
	c.maxTokens = defMax
	if err := optional(m, maxKey, &c.maxTokens); err != nil {
		return err
	}
	if stopKey != "" {
		return optional(m, stopKey, &c.stop)
	}
	return nil
}

func parseMistralChat(c *call, m map[string]json.RawMessage) error {
	var msgs []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	if err := required(m, "messages", &msgs); err != nil {
		return err
	}
	for _, msg := range msgs {
		c.parts = append(c.parts, msg.Content)
		if msg.Role == "user" {
			c.prompt = msg.Content
		}
	}
	c.chat = true
	c.maxTokens = 512
	return optional(m, "max_tokens", &c.maxTokens)
}

func parseTitan(c *call, m map[string]json.RawMessage) error {
	var input string
	if err := required(m, "inputText", &input); err != nil {
		return err
	}
	c.parts = []string{input}
	c.prompt = userText(input)
	var tg struct {
		MaxTokenCount *int     `json:"maxTokenCount"`
		StopSequences []string `json:"stopSequences"`
	}
	if err := optional(m, "textGenerationConfig", &tg); err != nil {
		return err
	}
	c.maxTokens = 512
	if tg.MaxTokenCount != nil {
		c.maxTokens = *tg.MaxTokenCount
	}
	c.stop = tg.StopSequences
	return nil
}

// userText finds the last user turn in a formatted prompt (Llama 3 headers,
// Mistral [INST], Titan "User:"), or returns the prompt without special
// tokens.
func userText(p string) string {
	if i := strings.LastIndex(p, "<|start_header_id|>user<|end_header_id|>"); i >= 0 {
		rest := p[i+len("<|start_header_id|>user<|end_header_id|>"):]
		if j := strings.Index(rest, "<|eot_id|>"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	if i := strings.LastIndex(p, "[INST]"); i >= 0 {
		rest := p[i+len("[INST]"):]
		if j := strings.Index(rest, "[/INST]"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	if i := strings.LastIndex(p, "User:"); i >= 0 {
		rest := p[i+len("User:"):]
		if j := strings.LastIndex(rest, "Bot:"); j >= 0 {
			rest = rest[:j]
		}
		return strings.TrimSpace(rest)
	}
	for _, tok := range []string{"<|begin_of_text|>", "<|eot_id|>", "<s>", "</s>"} {
		p = strings.ReplaceAll(p, tok, "")
	}
	return strings.TrimSpace(p)
}
