package ticketfile_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum/ticketfile"
)

// FuzzDecoder checks that no input makes the decoder panic or loop, that
// every ticket it returns is valid, and that every problem is one line.
func FuzzDecoder(f *testing.F) {
	for _, seed := range []string{
		good, good + "\n" + good, "[" + good + "]", "{\n\"id\": \"x\"\n}", "", "\x00", "[", "{", "\"x\"",
		`{"id":"d","turns":[{"role":"#Person1#","text":"a"}],"summaries":["s"]}`,
		`{"id":1,"messages":[{"role":"agent","at":"2025-01-01T00:00:00Z","body":"b"}]}`,
		"\xef\xbb\xbf[]", "\xff\xfe", "[1,2]\n", `{"id":"a\xff","messages":[{"role":"customer","body":"x"}]}`,
	} {
		f.Add(seed, 0)
	}
	f.Fuzz(func(t *testing.T, input string, limit int) {
		d := ticketfile.NewDecoder(strings.NewReader(input), "fuzz.json", ticketfile.Options{MaxTicketBytes: limit % 4096})
		for i := 0; ; i++ {
			if i > len(input)+2 {
				t.Fatalf("decoder returned more than %d results", i)
			}
			tk, err := d.Next()
			if err == io.EOF {
				return
			}
			var p *ticketfile.Problem
			if err != nil {
				msg := err.Error()
				if strings.ContainsAny(msg, "\n\r") || !utf8.ValidString(msg) && utf8.ValidString(input) {
					t.Fatalf("message is not one valid line: %q", msg)
				}
				if !errors.As(err, &p) {
					return
				}
				continue
			}
			if verr := tk.Validate(); verr != nil {
				t.Fatalf("decoder returned an invalid ticket: %v", verr)
			}
		}
	})
}
