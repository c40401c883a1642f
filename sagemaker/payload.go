package sagemaker

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// EstimateTokens is the estimate used when an endpoint reports no usage: a
// quarter of the characters, rounded up.
func EstimateTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }

// tgiPrompt renders a request as one TGI "inputs" string: the system
// prompt, then the turns, labelled when there is more than one.
func tgiPrompt(req *ticketsum.ModelRequest) string {
	var b strings.Builder
	if req.System != "" {
		b.WriteString(req.System + "\n\n")
	}
	if len(req.Messages) == 1 {
		b.WriteString(req.Messages[0].Content)
		return b.String()
	}
	for _, msg := range req.Messages {
		if msg.Role == ticketsum.ChatUser {
			b.WriteString("User: " + msg.Content + "\n")
		} else {
			b.WriteString("Assistant: " + msg.Content + "\n")
		}
	}
	b.WriteString("Assistant:")
	return b.String()
}

// body builds the request body and returns the input text the usage
// estimate counts.
func (m *Model) body(req *ticketsum.ModelRequest) ([]byte, string, error) {
	max := m.cfg.MaxTokens
	if req.MaxTokens > 0 {
		max = req.MaxTokens
	}
	if m.cfg.Payload == PayloadTGI {
		prompt := tgiPrompt(req)
		params := map[string]any{"max_new_tokens": max, "return_full_text": false, "details": false}
		if req.Temperature != nil && *req.Temperature > 0 {
			params["temperature"] = *req.Temperature
			params["do_sample"] = true
		}
		if len(req.StopSequences) > 0 {
			params["stop"] = req.StopSequences
		}
		b, err := json.Marshal(map[string]any{"inputs": prompt, "parameters": params})
		return b, prompt, err
	}
	var msgs []map[string]string
	var all strings.Builder
	if req.System != "" {
		msgs = append(msgs, map[string]string{"role": "system", "content": req.System})
		all.WriteString(req.System)
	}
	for _, msg := range req.Messages {
		msgs = append(msgs, map[string]string{"role": string(msg.Role), "content": msg.Content})
		all.WriteString(msg.Content)
	}
	body := map[string]any{"messages": msgs, "max_tokens": max, "stream": false}
	if req.Temperature != nil {
		body["temperature"] = *req.Temperature
	}
	if len(req.StopSequences) > 0 {
		body["stop"] = req.StopSequences
	}
	b, err := json.Marshal(body)
	return b, all.String(), err
}

// answer is what the provider reads from either payload style.
type answer struct {
	text         string
	stop         string
	usage        ticketsum.Usage
	reportsUsage bool
}

// parseAnswer reads a TGI list or object, or an OpenAI chat completion.
func parseAnswer(payload string, body []byte) (answer, bool) {
	var a answer
	if payload == PayloadTGI {
		var list []struct {
			GeneratedText *string `json:"generated_text"`
		}
		if json.Unmarshal(body, &list) == nil && len(list) > 0 && list[0].GeneratedText != nil {
			a.text = *list[0].GeneratedText
			return a, true
		}
		var obj struct {
			GeneratedText *string `json:"generated_text"`
		}
		if json.Unmarshal(body, &obj) == nil && obj.GeneratedText != nil {
			a.text = *obj.GeneratedText
			return a, true
		}
		return a, false
	}
	var cc struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage *struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if json.Unmarshal(body, &cc) != nil || len(cc.Choices) == 0 {
		return a, false
	}
	a.text, a.stop = cc.Choices[0].Message.Content, cc.Choices[0].FinishReason
	if cc.Usage != nil {
		a.usage = ticketsum.Usage{InputTokens: cc.Usage.PromptTokens, OutputTokens: cc.Usage.CompletionTokens}
		a.reportsUsage = true
	}
	return a, true
}
