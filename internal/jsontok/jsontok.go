// Package jsontok reads JSON values of known shape from a jsontext token
// decoder (github.com/go-json-experiment/json/jsontext), with no
// reflection, for the served path's fast decoders (api's chat request,
// openai's answer). Each reader reports false for anything but the plain
// form it reads, so that its caller can fall back to encoding/json and keep
// encoding/json's meaning and error messages for everything else.
package jsontok

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// String reads a string (not null).
func String(d *jsontext.Decoder) (string, bool) {
	if d.PeekKind() != '"' {
		return "", false
	}
	v, err := d.ReadValue()
	if err != nil {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	return string(b), err == nil
}

// Int reads a number that is an exact integer within int's range.
func Int(d *jsontext.Decoder) (int, bool) {
	if d.PeekKind() != '0' {
		return 0, false
	}
	v, err := d.ReadValue()
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(v))
	return n, err == nil
}

// Float reads a number within float64's range.
func Float(d *jsontext.Decoder) (float64, bool) {
	if d.PeekKind() != '0' {
		return 0, false
	}
	v, err := d.ReadValue()
	if err != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return f, err == nil
}

// Bool reads true or false.
func Bool(d *jsontext.Decoder) (bool, bool) {
	k := d.PeekKind()
	if k != 't' && k != 'f' {
		return false, false
	}
	return k == 't', d.SkipValue() == nil
}

// Raw reads any value as a copy of its JSON text.
func Raw(d *jsontext.Decoder) ([]byte, bool) {
	v, err := d.ReadValue()
	if err != nil {
		return nil, false
	}
	return bytes.Clone(v), true
}

// Open reads the start of an object ('{') or array ('[').
func Open(d *jsontext.Decoder, kind jsontext.Kind) bool {
	if d.PeekKind() != kind {
		return false
	}
	_, err := d.ReadToken()
	return err == nil
}

// Close reads the end of an object ('}') or array (']').
func Close(d *jsontext.Decoder, kind jsontext.Kind) bool {
	tok, err := d.ReadToken()
	return err == nil && tok.Kind() == kind
}

// SkipUnknown skips the value of a field whose name (quoted, as read)
// matches no case of its caller's, unless encoding/json, which matches
// names without regard to case, could take it for one of known: a name
// that is escaped, not ASCII, or equal to one of known but for case.
func SkipUnknown(d *jsontext.Decoder, name jsontext.Value, known ...string) bool {
	n := string(name[1 : len(name)-1])
	for i := 0; i < len(n); i++ {
		if n[i] == '\\' || n[i] >= 0x80 {
			return false
		}
	}
	for _, k := range known {
		if strings.EqualFold(n, k) {
			return false
		}
	}
	return d.SkipValue() == nil
}
