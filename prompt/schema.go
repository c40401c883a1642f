package prompt

import (
	"encoding/json"
	"fmt"

	"github.com/ticketsum/ticketsum"
)

// SchemaName is the name of the structured output summary calls ask for
// (the tool name on Bedrock, the schema name on OpenAI-compatible servers).
const SchemaName = "record_summary"

// Schema returns the structured output every summary call asks for where
// the model supports it: an object with the summary paragraph and one of
// the three statuses, both required. ParseAnswer reads such an object as it
// reads the text format.
func (t *Template) Schema() *ticketsum.OutputSchema {
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"summary": map[string]any{
				"type": "string",
				"description": fmt.Sprintf("One neutral paragraph of at most %d words: the customer's issue, what the agent did, "+
					"and whether it is resolved. No names or other personal data.", t.cfg.MaxWords),
			},
			"status": map[string]any{
				"type":        "string",
				"enum":        []string{string(ticketsum.StatusResolved), string(ticketsum.StatusAwaitingCustomer), string(ticketsum.StatusAwaitingSupport)},
				"description": "resolved: solved or confirmed; awaiting_customer: the agent asked for something; awaiting_support: the customer waits.",
			},
		},
		"required":             []string{"summary", "status"},
		"additionalProperties": false,
	}
	b, _ := json.Marshal(schema) // a map of strings and slices always marshals
	return &ticketsum.OutputSchema{
		Name:        SchemaName,
		Description: "Record the ticket summary and its resolution status.",
		Schema:      b,
	}
}
