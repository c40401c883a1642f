package openai

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"
	ticketsum "github.com/ticketsum/ticketsum"
)

// How a Model asks for structured output (Config.Structured).
const (
	// StructuredJSONSchema sends response_format {"type":"json_schema"}:
	// OpenAI, vLLM, Ollama, LiteLLM and TGI's guided decoding.
	StructuredJSONSchema = "json_schema"
	// StructuredTools sends the schema as one function tool and forces it
	// with tool_choice, for servers whose tool calling is more reliable
	// than their guided decoding.
	StructuredTools = "tools"
	// StructuredOff always asks for text.
	StructuredOff = "off"
)

// structure adds req.Output to p the configured way, unless the request has
// none, structured output is off or the server refused it before. It
// reports whether it did, and returns EINVALID for a schema that is not JSON.
func (m *Model) structure(p *oai.ChatCompletionNewParams, req *ticketsum.ModelRequest) (bool, error) {
	out := req.Output
	if out == nil || m.cfg.Structured == StructuredOff || m.textOnly.Load() {
		return false, nil
	}
	var schema map[string]any
	if err := json.Unmarshal(out.Schema, &schema); err != nil {
		return false, ticketsum.Errorf(ticketsum.EINVALID, "%s: structured output %q: schema is not a JSON object: %v", m.Name(), out.Name, err)
	}
	desc := param.Opt[string]{}
	if out.Description != "" {
		desc = param.NewOpt(out.Description)
	}
	if m.cfg.Structured == StructuredTools {
		p.Tools = []oai.ChatCompletionToolUnionParam{oai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: out.Name, Description: desc, Parameters: shared.FunctionParameters(schema),
		})}
		p.ToolChoice = oai.ToolChoiceOptionFunctionToolChoice(oai.ChatCompletionNamedToolChoiceFunctionParam{Name: out.Name})
		return true, nil
	}
	p.ResponseFormat = oai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
		JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: out.Name, Description: desc, Schema: schema, Strict: param.NewOpt(true)},
	}}
	return true, nil
}

// refusedStructure reports whether err is a server's refusal of the
// structured-output part of a request (400 or 422 naming response_format,
// json_schema or tools), after which the request is worth sending in text.
func refusedStructure(err error) bool {
	var apiErr *oai.Error
	if !errors.As(err, &apiErr) || (apiErr.StatusCode != http.StatusBadRequest && apiErr.StatusCode != http.StatusUnprocessableEntity) {
		return false
	}
	msg := strings.ToLower(apiErr.Message + " " + apiErr.Param)
	for _, s := range []string{"response_format", "json_schema", "tool"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// answerOf returns a choice's answer: the arguments of its first tool call
// (structured), its content when it was asked for in a JSON schema and is
// JSON (structured), or its content as text.
func answerOf(msg oai.ChatCompletionMessage, structured bool) (string, bool) {
	for _, tc := range msg.ToolCalls {
		if tc.Function.Arguments != "" {
			return tc.Function.Arguments, true
		}
	}
	return msg.Content, structured && json.Valid([]byte(strings.TrimSpace(msg.Content)))
}
