package ticketfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ctltext"
)

// wireTicket is a ticket as it appears in the input: the ticket format and
// the dialog format share one object. Unknown fields are ignored.
type wireTicket struct {
	ID             wireID          `json:"id"`
	Subject        string          `json:"subject"`
	ProductLine    string          `json:"product_line"`
	Customer       *wireCustomer   `json:"customer"`
	CreatedAt      json.RawMessage `json:"created_at"`
	UpdatedAt      json.RawMessage `json:"updated_at"`
	Messages       []wireMessage   `json:"messages"`
	References     []string        `json:"references"`
	ExpectedStatus string          `json:"expected_status"`

	// The dialog format of the evaluation datasets.
	Turns     []wireTurn `json:"turns"`
	Summaries []string   `json:"summaries"`
}

type wireCustomer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type wireMessage struct {
	Role   string          `json:"role"`
	Author string          `json:"author"`
	At     json.RawMessage `json:"at"`
	Body   string          `json:"body"`
}

type wireTurn struct {
	Role string `json:"role"`
	Text string `json:"text"`
}

// wireID is a ticket id: a JSON string, or a whole number taken as its
// decimal text.
type wireID string

// UnmarshalJSON accepts a string or an integer.
func (id *wireID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = wireID(s)
		return nil
	}
	if wholeNumber(b) {
		// Any length of digits is kept exactly as its text (an id of 23
		// digits is not rounded through a float nor refused for overflow).
		if len(b) > ticketsum.MaxIDLength {
			return ticketsum.Errorf(ticketsum.EINVALID, "field \"id\" is a number of %d digits, longer than the %d characters an id may have", len(b), ticketsum.MaxIDLength)
		}
		*id = wireID(b)
		return nil
	}
	if jsonKind(b) == "a number" {
		return ticketsum.Errorf(ticketsum.EINVALID, "field \"id\" is the number %s, want a string or a whole number", clip(string(b)))
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "field \"id\" is %s, want a string", jsonKind(b))
}

// wholeNumber reports whether b is a JSON integer: an optional minus and
// digits, with no fraction or exponent.
func wholeNumber(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("-"))
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// decodeRecord turns one JSON value into a validated ticket. It returns the
// ticket's id whenever it could be read, also with an error.
func decodeRecord(raw []byte) (*ticketsum.Ticket, string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, "", ticketsum.Errorf(ticketsum.EINVALID, "record is %s, want a ticket object", jsonKind(raw))
	}
	var w wireTicket
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, peekID(raw), explainJSON(err)
	}
	id := string(w.ID)
	if !utf8.Valid(raw) {
		return nil, id, ticketsum.Errorf(ticketsum.EINVALID, "%s is not valid UTF-8 (first bad byte at offset %d of the record)", ticketName(id), invalidUTF8At(raw))
	}
	t, err := w.ticket()
	if err != nil {
		return nil, id, err
	}
	if err := t.Validate(); err != nil {
		return nil, id, quoteID(err, id)
	}
	if err := checkContent(t); err != nil {
		return nil, id, err
	}
	return t, id, nil
}

// ticket converts the wire form to a ticket, parsing times and mapping
// dialog turns to messages.
func (w *wireTicket) ticket() (*ticketsum.Ticket, error) {
	name := ticketName(string(w.ID))
	t := &ticketsum.Ticket{
		ID:             string(w.ID),
		Subject:        ctltext.Strip(w.Subject),
		ProductLine:    ctltext.Strip(w.ProductLine),
		References:     append(w.References, w.Summaries...),
		ExpectedStatus: ticketsum.Status(w.ExpectedStatus),
	}
	if w.Customer != nil {
		t.Customer = ticketsum.Customer{Name: ctltext.Strip(w.Customer.Name), Email: ctltext.Strip(w.Customer.Email)}
	}
	var err error
	if t.CreatedAt, err = parseTime(w.CreatedAt); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s has created_at %s", name, err)
	}
	if t.UpdatedAt, err = parseTime(w.UpdatedAt); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s has updated_at %s", name, err)
	}
	if t.ExpectedStatus != "" && !t.ExpectedStatus.Valid() {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s has unknown expected_status %q (want resolved, awaiting_customer or awaiting_support)", name, clip(w.ExpectedStatus))
	}
	if len(w.Messages) > 0 && len(w.Turns) > 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s has both messages and turns (want one of them)", name)
	}
	for i, m := range w.Messages {
		at, err := parseTime(m.At)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s message %d has at %s", name, i+1, err)
		}
		t.Messages = append(t.Messages, ticketsum.Message{Role: messageRole(m.Role), Author: ctltext.Strip(m.Author), At: at, Body: ctltext.Strip(m.Body)})
	}
	speakers := map[string]ticketsum.Role{}
	for _, turn := range w.Turns {
		t.Messages = append(t.Messages, ticketsum.Message{Role: turnRole(turn.Role, speakers), Body: ctltext.Strip(turn.Text)})
	}
	return t, nil
}

// turnRole maps a dialog turn's role to a message role. Speaker labels such
// as "#Person1#" (DialogSum) become customer for the first speaker and agent
// for every other; other roles are kept for Validate to judge.
func turnRole(role string, speakers map[string]ticketsum.Role) ticketsum.Role {
	if !isSpeakerLabel(role) {
		return messageRole(role)
	}
	if r, ok := speakers[role]; ok {
		return r
	}
	r := ticketsum.RoleAgent
	if len(speakers) == 0 {
		r = ticketsum.RoleCustomer
	}
	speakers[role] = r
	return r
}

// isSpeakerLabel reports whether role looks like "#Person1#".
func isSpeakerLabel(role string) bool {
	rest, ok := strings.CutPrefix(role, "#Person")
	if !ok {
		return false
	}
	digits, ok := strings.CutSuffix(rest, "#")
	if !ok || digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// messageRole returns the role named by s; the known roles are matched
// regardless of case and surrounding spaces ("Customer" is customer), and
// anything else is kept for Validate to judge.
func messageRole(s string) ticketsum.Role {
	if r := ticketsum.Role(strings.ToLower(strings.TrimSpace(s))); r.Valid() {
		return r
	}
	return ticketsum.Role(s)
}

// checkContent refuses tickets that Validate lets through but that no
// summary can describe: a blank id, an id with control characters (it would
// break one-line messages and logs), and a thread whose every body is blank.
func checkContent(t *ticketsum.Ticket) error {
	if strings.TrimSpace(t.ID) == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "ticket id is blank")
	}
	if strings.IndexFunc(t.ID, unicode.IsControl) >= 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s has a control character (such as a line break) in its id", ticketName(t.ID))
	}
	for _, m := range t.Messages {
		if strings.TrimSpace(m.Body) != "" {
			return nil
		}
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "%s has no text: every message body is empty", ticketName(t.ID))
}

// maxUnixSeconds bounds a time given as Unix seconds: 10^10 s is in 2286, so
// a larger number is most likely in milliseconds.
const maxUnixSeconds = 1e10

// timeLayouts are the text times accepted, in order; a time without an
// offset is taken as UTC.
var timeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime parses a time field: JSON null, a missing field or "" is the
// zero time; a string is RFC 3339, or the same with a space for the "T", or
// without an offset (taken as UTC), or a date alone (midnight UTC); a number
// is Unix seconds. The error completes a sentence: `"yesterday", which is
// not a time ...`.
func parseTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	switch jsonKind(raw) {
	case "a number":
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || f < 0 || f >= maxUnixSeconds {
			return time.Time{}, fmt.Errorf("%s, which is out of range for Unix seconds (milliseconds? divide by 1000)", clip(string(raw)))
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
	case "a string":
	default:
		return time.Time{}, fmt.Errorf("%s, want a time string or Unix seconds", jsonKind(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, fmt.Errorf("a string that is not valid JSON")
	}
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q, which is not a time such as 2025-03-01T09:30:00Z, 2025-03-01 09:30:00 (UTC) or Unix seconds", clip(s))
}

// explainJSON turns an encoding/json error into a message that names the
// field and the expected type, without echoing the record's content.
func explainJSON(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return ticketsum.Errorf(ticketsum.EINVALID, "field %q is %s, want %s", fieldPath(te), article(te.Value), typeName(te.Type))
	}
	var ce *ticketsum.Error
	if errors.As(err, &ce) {
		return ce
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return ticketsum.Errorf(ticketsum.EINVALID, "not JSON: %s", se.Error())
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "not a ticket: %s", err.Error())
}

func fieldPath(te *json.UnmarshalTypeError) string {
	if te.Field == "" {
		return "(record)"
	}
	return te.Field
}

// typeName names a Go type of the wire structs in JSON terms.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	}
	return t.String()
}

func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "string", "number":
		return "a " + kind
	}
	return kind
}

// jsonKind names the kind of JSON value b starts with.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "empty"
	}
	switch c := b[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || ('0' <= c && c <= '9'):
		return "a number"
	}
	return "not JSON"
}

// peekID returns the record's id when the record is an object whose "id" is
// a string, even if other fields fail to decode.
func peekID(raw []byte) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.ID, &s) != nil || !utf8.ValidString(s) || len(s) > ticketsum.MaxIDLength {
		return ""
	}
	return s
}

// quoteID rewrites Validate's "ticket ID ..." as `ticket "ID" ...` so that
// odd ids cannot break the one-line message.
func quoteID(err error, id string) error {
	msg := ticketsum.ErrorMessage(err)
	if rest, ok := strings.CutPrefix(msg, "ticket "+id+" "); ok && id != "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s %s", ticketName(id), rest)
	}
	return err
}

// ticketName returns `ticket "ID"`, or "ticket" when the id is unknown.
func ticketName(id string) string {
	if id == "" || !utf8.ValidString(id) {
		return "ticket"
	}
	return fmt.Sprintf("ticket %q", clip(id))
}

// clip shortens s for a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
