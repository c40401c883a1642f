package ticketfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ticketsum/ticketsum"
)

// DefaultMaxTicketBytes is the default limit on the size of one ticket
// record: 1 MiB of JSON.
const DefaultMaxTicketBytes = 1 << 20

// Options configure a Decoder.
type Options struct {
	// MaxTicketBytes is the largest record accepted, in bytes of JSON.
	// A larger record is a Problem. Zero means DefaultMaxTicketBytes (1 MiB);
	// a negative value makes Next fail with an EINVALID error.
	MaxTicketBytes int
	// LimitHint, when set, ends the Problem of a record over the limit:
	// it names what raises the limit where the caller reads it, e.g.
	// "raise max_ticket_bytes in the configuration". Default: no hint.
	LimitHint string
}

// withDefaults fills in the zero fields.
func (o Options) withDefaults() Options {
	if o.MaxTicketBytes == 0 {
		o.MaxTicketBytes = DefaultMaxTicketBytes
	}
	return o
}

type mode int

const (
	modeStart mode = iota
	modeLines      // JSON Lines, one ticket per line
	modeArray      // a JSON array of tickets
	modeDoc        // one (pretty-printed) ticket object
	modeDone
)

// Decoder reads tickets from one input. It is not safe for concurrent use.
type Decoder struct {
	name string
	opts Options
	br   *bufio.Reader

	mode   mode
	err    error // sticky fatal error
	line   int   // lines consumed so far
	record int   // records read so far
	seen   map[string]string
	buf    []byte

	pending []byte        // the first line, read while detecting the format
	arr     *json.Decoder // modeArray
	doc     *json.Decoder // modeDoc
	docR    *docReader    // modeDoc: what doc read, for line numbers
}

// NewDecoder returns a decoder reading tickets from r; name identifies the
// input in messages (a file name, or "-" for stdin).
func NewDecoder(r io.Reader, name string, opts Options) *Decoder {
	return &Decoder{
		name: name,
		opts: opts.withDefaults(),
		br:   bufio.NewReaderSize(r, 64<<10),
		seen: map[string]string{},
	}
}

// Next returns the next ticket. It returns io.EOF after the last one, a
// *Problem for a bad record (call Next again for the rest), and any other
// error when the input cannot be read at all; that error repeats on every
// later call.
func (d *Decoder) Next() (*ticketsum.Ticket, error) {
	if d.err != nil {
		return nil, d.err
	}
	t, err := d.next()
	var p *Problem
	if err != nil && err != io.EOF && !errors.As(err, &p) {
		d.err = err
	}
	if err == io.EOF {
		d.mode = modeDone
	}
	return t, err
}

func (d *Decoder) next() (*ticketsum.Ticket, error) {
	switch d.mode {
	case modeStart:
		if err := d.start(); err != nil {
			return nil, err
		}
		return d.next()
	case modeLines:
		return d.nextLine()
	case modeArray:
		return d.nextElement()
	case modeDoc:
		return d.nextDoc()
	}
	return nil, io.EOF
}

// fatal returns an EINVALID error about the whole input.
func (d *Decoder) fatal(format string, args ...any) error {
	return ticketsum.Errorf(ticketsum.EINVALID, "%s: "+format, append([]any{d.name}, args...)...)
}

// fatalAt returns an EINVALID error about the whole input at a line.
func (d *Decoder) fatalAt(line int, format string, args ...any) error {
	return ticketsum.Errorf(ticketsum.EINVALID, "%s:%d: "+format, append([]any{d.name, line}, args...)...)
}

// start detects the format from the first bytes.
func (d *Decoder) start() error {
	if d.opts.MaxTicketBytes < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "ticketfile: MaxTicketBytes is %d, want a positive size or 0 for the default", d.opts.MaxTicketBytes)
	}
	head, err := d.br.Peek(8 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return fmt.Errorf("read %s: %w", d.name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		d.br.Discard(3) //nolint:errcheck // the bytes are buffered
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return d.fatal("input is UTF-16 text; save it as UTF-8")
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return d.fatal("input is binary, not JSON")
	}
	c, err := d.skipSpace()
	if err == io.EOF {
		return d.fatal("input is empty")
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", d.name, err)
	}
	switch c {
	case '[':
		d.mode = modeArray
		d.docR = &docReader{r: d.br, line: d.line + 1, limit: d.opts.MaxTicketBytes + docReadAhead}
		d.arr = json.NewDecoder(d.docR)
		if _, err := d.arr.Token(); err != nil {
			return d.fatal("not JSON: %v", err)
		}
		return nil
	case '{':
		return d.startObject()
	}
	return d.fatalAt(d.line+1, "not JSON: unexpected character %q at the start (want a ticket object, an array of tickets or one ticket per line)", rune(c))
}

// skipSpace consumes white space, counting lines, and returns the next
// byte without consuming it.
func (d *Decoder) skipSpace() (byte, error) {
	for {
		c, err := d.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			d.line++
		case ' ', '\t', '\r':
		default:
			return c, d.br.UnreadByte()
		}
	}
}

// startObject tells JSON Lines from a single pretty-printed object: JSON
// Lines' first line holds a whole object.
func (d *Decoder) startObject() error {
	first, size, err := d.readLine()
	if err != nil {
		return fmt.Errorf("read %s: %w", d.name, err)
	}
	trimmed := bytes.TrimSpace(first)
	if size > d.opts.MaxTicketBytes || bytes.HasSuffix(trimmed, []byte("}")) {
		d.mode = modeLines
		d.pending = append([]byte(nil), first...)
		if size > d.opts.MaxTicketBytes {
			d.pending = nil
			d.line++
			d.record++
			return d.tooBig(size, d.line)
		}
		return nil
	}
	d.mode = modeDoc
	d.docR = &docReader{
		r:     io.MultiReader(bytes.NewReader(append([]byte(nil), first...)), d.br),
		line:  d.line + 1,
		limit: d.opts.MaxTicketBytes + docReadAhead,
	}
	d.doc = json.NewDecoder(d.docR)
	return nil
}

// tooBig returns the Problem of a record over the size limit.
func (d *Decoder) tooBig(size, line int) *Problem {
	return &Problem{Source: d.name, Line: line, Record: d.record, Err: ticketsum.Errorf(ticketsum.EINVALID,
		"ticket is %d bytes, over the limit of %d bytes%s", size, d.opts.MaxTicketBytes, d.limitHint())}
}

// limitHint is Options.LimitHint as the end of a sentence, or "".
func (d *Decoder) limitHint() string {
	if d.opts.LimitHint == "" {
		return ""
	}
	return ": " + d.opts.LimitHint
}

// readLine reads one line, keeping at most MaxTicketBytes+1 bytes of it in
// d.buf, and returns the kept bytes and the line's full size without its
// line break. It returns io.EOF only when nothing is left.
func (d *Decoder) readLine() ([]byte, int, error) {
	d.buf = d.buf[:0]
	size := 0
	for {
		chunk, err := d.br.ReadSlice('\n')
		size += len(chunk)
		if room := d.opts.MaxTicketBytes + 2 - len(d.buf); room > 0 {
			d.buf = append(d.buf, chunk[:min(room, len(chunk))]...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && size == 0:
			return nil, 0, io.EOF
		case err != nil && err != io.EOF:
			return nil, 0, err
		}
		if bytes.HasSuffix(chunk, []byte("\n")) {
			size--
			if bytes.HasSuffix(chunk, []byte("\r\n")) {
				size--
			}
		}
		return d.buf, size, nil
	}
}

// nextLine returns the ticket of the next non-blank line.
func (d *Decoder) nextLine() (*ticketsum.Ticket, error) {
	for {
		var line []byte
		var size int
		if d.pending != nil {
			line, size = d.pending, len(bytes.TrimRight(d.pending, "\r\n"))
			d.pending = nil
		} else {
			var err error
			line, size, err = d.readLine()
			if err == io.EOF {
				return nil, io.EOF
			}
			if err != nil {
				return nil, fmt.Errorf("read %s line %d: %w", d.name, d.line+1, err)
			}
		}
		d.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		d.record++
		if size > d.opts.MaxTicketBytes {
			return nil, d.tooBig(size, d.line)
		}
		return d.decode(line, d.line, fmt.Sprintf("line %d", d.line))
	}
}

// nextElement returns the ticket of the next array element.
func (d *Decoder) nextElement() (*ticketsum.Ticket, error) {
	if !d.arr.More() {
		if _, err := d.arr.Token(); err != nil {
			return nil, d.fatal("record %d: not JSON: %v", d.record+1, err)
		}
		if _, err := d.arr.Token(); err != io.EOF {
			return nil, d.fatal("unexpected data after the array of tickets")
		}
		return nil, io.EOF
	}
	d.docR.drop(d.arr.InputOffset())
	var raw json.RawMessage
	err := d.arr.Decode(&raw)
	if errors.Is(err, errRecordTooBig) {
		if _, err := io.Copy(io.Discard, d.br); err != nil {
			return nil, fmt.Errorf("read %s: %w", d.name, err)
		}
		d.mode = modeDone
		d.record++
		return nil, &Problem{Source: d.name, Record: d.record, Err: ticketsum.Errorf(ticketsum.EINVALID,
			"ticket is over the limit of %d bytes; the rest of the array is skipped%s", d.opts.MaxTicketBytes, d.limitHint())}
	}
	if err != nil {
		return nil, d.fatal("record %d: not JSON: %v", d.record+1, err)
	}
	d.record++
	if len(raw) > d.opts.MaxTicketBytes {
		return nil, d.tooBig(len(raw), 0)
	}
	return d.decode(raw, 0, fmt.Sprintf("record %d", d.record))
}

// nextDoc returns the ticket of the next pretty-printed object.
func (d *Decoder) nextDoc() (*ticketsum.Ticket, error) {
	start := d.doc.InputOffset()
	d.docR.drop(start)
	var raw json.RawMessage
	err := d.doc.Decode(&raw)
	if err == io.EOF {
		return nil, io.EOF
	}
	first := d.docR.skipSpace(start)
	line := d.docR.lineAt(first)
	if errors.Is(err, errRecordTooBig) {
		n, err := io.Copy(io.Discard, d.br)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", d.name, err)
		}
		d.mode = modeDone
		d.record++
		return nil, d.tooBig(len(d.docR.data)-int(first-d.docR.base)+int(n), line)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, d.fatalAt(d.docR.lineAt(se.Offset), "not JSON: %v", err)
	}
	if err != nil {
		return nil, d.fatalAt(line, "not JSON: %v", err)
	}
	d.record++
	if len(raw) > d.opts.MaxTicketBytes {
		return nil, d.tooBig(len(raw), line)
	}
	return d.decode(raw, line, fmt.Sprintf("line %d", line))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// decode turns one record into a ticket, or a Problem at line (0 when
// records are counted instead); where names the record for duplicates.
func (d *Decoder) decode(raw []byte, line int, where string) (*ticketsum.Ticket, error) {
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, &Problem{Source: d.name, Line: line, Record: d.record, Err: ticketsum.Errorf(ticketsum.EINVALID, "record holds binary data (NUL bytes), not JSON")}
	}
	t, id, err := decodeRecord(raw)
	if err == nil {
		if prev, dup := d.seen[t.ID]; dup {
			err = ticketsum.Errorf(ticketsum.EINVALID, "%s repeats the id of the ticket at %s", ticketName(id), prev)
		} else {
			d.seen[t.ID] = where
		}
	}
	if err != nil {
		return nil, &Problem{Source: d.name, Line: line, Record: d.record, TicketID: id, Err: err}
	}
	return t, nil
}
