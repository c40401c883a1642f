package ticketfile

import (
	"fmt"
	"strings"
)

// Problem is a bad record: the decoder reports it and goes on with the
// next record. Its Err is a coded ticketsum.EINVALID error.
type Problem struct {
	// Source names the input, such as a file name or "-" for stdin.
	Source string
	// Line is the 1-based line the record starts on, or 0 when unknown.
	Line int
	// Record is the 1-based position of the record in the input.
	Record int
	// TicketID is the ticket's id when it could be read.
	TicketID string
	// Err says what is wrong with the record.
	Err error
}

// Error returns one line: the source, the line (or record) and the problem,
// such as `tickets.jsonl:3: ticket "T-9" message 2 has unknown role "bot"
// (want customer, agent or internal)`.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Source)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d: ", p.Line)
	} else {
		fmt.Fprintf(&b, ": record %d: ", p.Record)
	}
	b.WriteString(oneLine(p.Err.Error()))
	return b.String()
}

// Unwrap returns Err.
func (p *Problem) Unwrap() error { return p.Err }

// oneLine replaces line breaks so that a message stays on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
