package prompt

import (
	_ "embed"
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/ticketsum/ticketsum"
)

//go:embed examples/approved.json
var approvedExamples []byte

// Example is an approved few-shot example: a short ticket and the summary a
// reviewer approved for it. Examples are generic and contain no personal
// data; ProductLine "" marks an example that fits every product line.
type Example struct {
	ID          string              `json:"id"`
	ProductLine string              `json:"product_line"`
	Subject     string              `json:"subject"`
	Messages    []ticketsum.Message `json:"messages"`
	Summary     string              `json:"summary"`
	Status      ticketsum.Status    `json:"status"`
}

func (e Example) validate() error {
	switch {
	case e.ID == "":
		return errors.New("no id")
	case len(e.Messages) == 0:
		return errors.New(e.ID + ": no messages")
	case strings.TrimSpace(e.Summary) == "":
		return errors.New(e.ID + ": no summary")
	case !e.Status.Valid():
		return errors.New(e.ID + ": status " + string(e.Status) + " is not resolved, awaiting_customer or awaiting_support")
	}
	for _, m := range e.Messages {
		if !m.Role.Valid() {
			return errors.New(e.ID + ": unknown role " + string(m.Role))
		}
	}
	return nil
}

// DefaultExamples returns the embedded approved examples.
func DefaultExamples() []Example {
	var ex []Example
	if err := json.Unmarshal(approvedExamples, &ex); err != nil {
		panic("prompt: embedded examples are broken: " + err.Error())
	}
	return ex
}

// LoadExamples reads approved examples from a JSON file holding an array of
// Example. It returns EINVALID for a file that cannot be read or parsed.
func LoadExamples(path string) ([]Example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: read examples: %w", err)
	}
	var ex []Example
	if err := json.Unmarshal(b, &ex); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: parse examples %s: %w", path, err)
	}
	for i, e := range ex {
		if err := e.validate(); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "prompt: examples %s item %d: %s", path, i+1, err)
		}
	}
	return ex, nil
}

// SelectExamples returns up to n examples for a product line: those of the
// line first, then generic ones (ProductLine ""), in file order. Matching
// ignores case.
func SelectExamples(all []Example, productLine string, n int) []Example {
	var out []Example
	pick := func(match func(Example) bool) {
		for _, e := range all {
			if len(out) >= n {
				return
			}
			if match(e) {
				out = append(out, e)
			}
		}
	}
	if productLine != "" {
		pick(func(e Example) bool { return strings.EqualFold(e.ProductLine, productLine) })
	}
	pick(func(e Example) bool { return e.ProductLine == "" })
	return out
}
