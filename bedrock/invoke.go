package bedrock

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ticketsum/ticketsum"
)

func (m *Model) invoke(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, guardResult, error) {
	body, err := m.nativeBody(req)
	if err != nil {
		return nil, guardResult{}, err
	}
	in := &bedrockruntime.InvokeModelInput{
		ModelId: aws.String(m.cfg.ModelID), Body: body,
		ContentType: aws.String("application/json"), Accept: aws.String("application/json"),
	}
	if g := m.cfg.Guardrail; g.ID != "" {
		in.GuardrailIdentifier, in.GuardrailVersion = aws.String(g.ID), aws.String(g.Version)
		in.Trace = types.Trace(strings.ToUpper(g.Trace))
	}
	out, err := m.client.InvokeModel(ctx, in)
	if err != nil {
		return nil, guardResult{}, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(out.Body, &fields); err != nil {
		return nil, guardResult{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock returned a malformed %s body for %s: retry", m.ref.Family, m.cfg.ModelID)
	}
	var nb nativeAnswer
	if err := json.Unmarshal(out.Body, &nb); err != nil {
		return nil, guardResult{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock returned a malformed %s body for %s: retry", m.ref.Family, m.cfg.ModelID)
	}
	resp := &ticketsum.ModelResponse{Text: nb.text(), StopReason: normalizeStop(nb.stopReason()), Usage: nb.usage()}
	if h := headerUsage(out.ResultMetadata); resp.Usage == (ticketsum.Usage{}) {
		resp.Usage = h
	}
	var g guardResult
	g.addInvokeFields(fields)
	return resp, g, nil
}

// headerUsage reads X-Amzn-Bedrock-*-Token-Count from the raw response;
// the SDK does not model them.
func headerUsage(md middleware.Metadata) ticketsum.Usage {
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		return ticketsum.Usage{}
	}
	n := func(h string) int {
		v, _ := strconv.Atoi(raw.Header.Get("X-Amzn-Bedrock-" + h))
		return v
	}
	return ticketsum.Usage{
		InputTokens:      n("Input-Token-Count"),
		OutputTokens:     n("Output-Token-Count"),
		CacheReadTokens:  n("Cache-Read-Input-Token-Count"),
		CacheWriteTokens: n("Cache-Write-Input-Token-Count"),
	}
}

// nativeAnswer holds the fields of every family's InvokeModel answer (and
// stream chunk) that the provider reads.
type nativeAnswer struct {
	// Claude
	Type    string `json:"type"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReasonA string `json:"stop_reason"`
	UsageA      *struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
		CacheRead    int `json:"cache_read_input_tokens"`
		CacheWrite   int `json:"cache_creation_input_tokens"`
	} `json:"usage"`
	// Nova
	Output *struct {
		Message struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReasonN string `json:"stopReason"`
	UsageN      *struct {
		InputTokens  int `json:"inputTokens"`
		OutputTokens int `json:"outputTokens"`
		CacheRead    int `json:"cacheReadInputTokenCount"`
		CacheWrite   int `json:"cacheWriteInputTokenCount"`
	} `json:"-"`
	// Llama
	Generation           *string `json:"generation"`
	PromptTokenCount     *int    `json:"prompt_token_count"`
	GenerationTokenCount *int    `json:"generation_token_count"`
	// Mistral
	Outputs []struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"outputs"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		StopReason string `json:"stop_reason"`
	} `json:"choices"`
	// Titan
	InputTextTokenCount *int `json:"inputTextTokenCount"`
	Results             []struct {
		TokenCount       int    `json:"tokenCount"`
		OutputText       string `json:"outputText"`
		CompletionReason string `json:"completionReason"`
	} `json:"results"`
}

// UnmarshalJSON decodes the answer; Claude and Nova both use "usage" with
// different fields, so it is decoded twice.
func (a *nativeAnswer) UnmarshalJSON(b []byte) error {
	type plain nativeAnswer
	if err := json.Unmarshal(b, (*plain)(a)); err != nil {
		return err
	}
	var n struct {
		Usage *struct {
			InputTokens  int `json:"inputTokens"`
			OutputTokens int `json:"outputTokens"`
			CacheRead    int `json:"cacheReadInputTokenCount"`
			CacheWrite   int `json:"cacheWriteInputTokenCount"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	a.UsageN = n.Usage
	if a.Output == nil && a.StopReasonN == "" {
		a.UsageN = nil
	}
	return nil
}

func (a *nativeAnswer) text() string {
	var b strings.Builder
	for _, c := range a.Content {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	if a.Output != nil {
		for _, c := range a.Output.Message.Content {
			b.WriteString(c.Text)
		}
	}
	if a.Generation != nil {
		b.WriteString(*a.Generation)
	}
	for _, o := range a.Outputs {
		b.WriteString(o.Text)
	}
	for _, c := range a.Choices {
		b.WriteString(c.Message.Content)
	}
	for _, r := range a.Results {
		b.WriteString(r.OutputText)
	}
	return b.String()
}

func (a *nativeAnswer) stopReason() string {
	for _, s := range []string{a.StopReasonA, a.StopReasonN} {
		if s != "" {
			return s
		}
	}
	for _, o := range a.Outputs {
		return o.StopReason
	}
	for _, c := range a.Choices {
		return c.StopReason
	}
	for _, r := range a.Results {
		return r.CompletionReason
	}
	return ""
}

// usage is the usage an answer's body reports; zero when it has none
// (Mistral), in which case the token headers are used.
func (a *nativeAnswer) usage() ticketsum.Usage {
	switch {
	case a.UsageA != nil && a.Type == "message":
		return ticketsum.Usage{InputTokens: a.UsageA.InputTokens, OutputTokens: a.UsageA.OutputTokens,
			CacheReadTokens: a.UsageA.CacheRead, CacheWriteTokens: a.UsageA.CacheWrite}
	case a.UsageN != nil:
		return ticketsum.Usage{InputTokens: a.UsageN.InputTokens, OutputTokens: a.UsageN.OutputTokens,
			CacheReadTokens: a.UsageN.CacheRead, CacheWriteTokens: a.UsageN.CacheWrite}
	case a.PromptTokenCount != nil && a.GenerationTokenCount != nil:
		return ticketsum.Usage{InputTokens: *a.PromptTokenCount, OutputTokens: *a.GenerationTokenCount}
	case a.InputTextTokenCount != nil && len(a.Results) > 0:
		return ticketsum.Usage{InputTokens: *a.InputTextTokenCount, OutputTokens: a.Results[0].TokenCount}
	}
	return ticketsum.Usage{}
}

// normalizeStop maps a family's own stop reason to Converse's vocabulary
// (end_turn, max_tokens, stop_sequence, content_filtered), so that callers
// see one set of values whatever the API.
func normalizeStop(s string) string {
	switch s {
	case "stop", "FINISH", "FINISHED", "COMPLETE":
		return "end_turn"
	case "length", "LENGTH", "MAX_TOKENS":
		return "max_tokens"
	case "STOP_CRITERIA_MET":
		return "stop_sequence"
	case "CONTENT_FILTERED":
		return "content_filtered"
	}
	return s
}
