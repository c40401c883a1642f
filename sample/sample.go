package sample

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"

	"github.com/ticketsum/ticketsum"
)

//go:embed tickets.jsonl
var ticketsJSONL []byte

// maxLine bounds one JSONL line of the embedded file.
const maxLine = 1 << 20

// ProductLines are the five product lines the sample tickets cover.
func ProductLines() []string {
	return []string{"billing", "mobile-app", "web-dashboard", "integrations-api", "hardware"}
}

// Tickets decodes and returns the bundled sample tickets, in file order
// (by id). Every call returns fresh values the caller may modify. It returns
// an EINVALID error naming the line when a ticket does not decode or fails
// Validate, which only happens if the embedded file was edited badly.
func Tickets() ([]*ticketsum.Ticket, error) {
	return decode(ticketsJSONL)
}

// JSONL returns the raw embedded JSONL, one ticket per line, for commands
// that want to import the sample through the normal import path.
func JSONL() []byte {
	return bytes.Clone(ticketsJSONL)
}

func decode(data []byte) ([]*ticketsum.Ticket, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var out []*ticketsum.Ticket
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		t := new(ticketsum.Ticket)
		if err := dec.Decode(t); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "sample tickets line %d: %w", line, err)
		}
		if err := t.Validate(); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "sample tickets line %d: %w", line, err)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "sample tickets line %d: %w", line+1, err)
	}
	if len(out) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "sample tickets: file is empty")
	}
	return out, nil
}
