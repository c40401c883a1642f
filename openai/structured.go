package openai

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	oai "github.com/openai/openai-go/v3"
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

// structure adds req.Output to body the configured way, unless the
// request has none, structured output is off or the server refused it
// before. It reports whether it did, and returns EINVALID for a schema that
// is not a JSON object.
func (m *Model) structure(body *wireRequest, req *ticketsum.ModelRequest) (bool, error) {
	out := req.Output
	if out == nil || m.cfg.Structured == StructuredOff || m.textOnly.Load() {
		return false, nil
	}
	var schema map[string]json.RawMessage
	if err := json.Unmarshal(out.Schema, &schema); err != nil || schema == nil {
		if err == nil {
			err = errors.New("it is null")
		}
		return false, ticketsum.Errorf(ticketsum.EINVALID, "%s: structured output %q: schema is not a JSON object: %v", m.Name(), out.Name, err)
	}
	if m.cfg.Structured == StructuredTools {
		body.Tools = []wireTool{{Type: "function", Function: wireFunction{Name: out.Name, Description: out.Description, Parameters: out.Schema}}}
		body.ToolChoice = &toolChoice{Type: "function"}
		body.ToolChoice.Function.Name = out.Name
		return true, nil
	}
	body.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: jsonSchema{
		Name: out.Name, Description: out.Description, Schema: out.Schema, Strict: true,
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
