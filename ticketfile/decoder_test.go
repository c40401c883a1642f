package ticketfile_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// outcomes decodes the whole input and describes each result: "ok ID" for
// a ticket, "problem: MESSAGE" for a Problem and "fatal: MESSAGE" for the
// error that ends the input.
func outcomes(t *testing.T, name, input string, opts ticketfile.Options) []string {
	t.Helper()
	d := ticketfile.NewDecoder(strings.NewReader(input), name, opts)
	var out []string
	for i := 0; i < 100; i++ {
		tk, err := d.Next()
		var p *ticketfile.Problem
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &p):
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("problem %q has code %q, want invalid", err, ticketsum.ErrorCodeOf(err))
			}
			out = append(out, "problem: "+err.Error())
		case err != nil:
			out = append(out, "fatal: "+err.Error())
			if _, again := d.Next(); again == nil || again.Error() != err.Error() {
				t.Errorf("after fatal %q, Next returned %v", err, again)
			}
			return out
		default:
			out = append(out, "ok "+tk.ID)
		}
	}
	t.Fatal("decoder did not end")
	return nil
}

const good = `{"id":"T-1","subject":"Login","messages":[{"role":"customer","body":"I cannot log in"}]}`

func TestDecoderOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		input string
		opts  ticketfile.Options
		want  []string
	}{
		{
			name: "jsonl with a bad role in the middle", file: "tickets.jsonl",
			input: good + "\n" + "\n" +
				`{"id":"T-9","messages":[{"role":"customer","body":"a"},{"role":"bot","body":"b"}]}` + "\n" +
				`{"id":"T-3","messages":[{"role":"agent","body":"hello"}]}` + "\n",
			want: []string{
				"ok T-1",
				`problem: tickets.jsonl:3: ticket "T-9" message 2 has unknown role "bot" (want customer, agent or internal)`,
				"ok T-3",
			},
		},
		{
			name: "jsonl keeps going after a broken line", file: "t.jsonl",
			input: `{"id":"A","messages":[{"role":"customer","body":"x"}]}` + "\n" + `{"id": "B", "messages": [` + "\n" + good + "\r\n",
			want: []string{
				"ok A",
				"problem: t.jsonl:2: not JSON: unexpected end of JSON input",
				"ok T-1",
			},
		},
		{
			name: "pretty-printed single ticket", file: "one.json",
			input: "\n{\n  \"id\": \"P-1\",\n  \"created_at\": \"2025-03-01T09:30:00Z\",\n  \"messages\": [\n    {\"role\": \"customer\", \"body\": \"hi\"}\n  ]\n}\n",
			want:  []string{"ok P-1"},
		},
		{
			name: "pretty-printed with a syntax error names the line", file: "bad.json",
			input: "{\n  \"id\": \"P-1\",\n  \"messages\": [,]\n}\n",
			want:  []string{"fatal: bad.json:3: not JSON: invalid character ',' looking for beginning of value"},
		},
		{
			name: "array of tickets", file: "arr.json",
			input: `[` + good + `, {"id":"T-2","messages":[]}, {"id":"T-4","messages":[{"role":"internal","body":"note"}]}]`,
			want: []string{
				"ok T-1",
				"problem: arr.json: record 2: ticket \"T-2\" has no messages",
				"ok T-4",
			},
		},
		{
			name: "empty", file: "empty.json", input: " \n\t\n",
			want: []string{"fatal: empty.json: input is empty"},
		},
		{
			name: "binary", file: "x.bin", input: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
			want: []string{"fatal: x.bin: input is binary, not JSON"},
		},
		{
			name: "not json", file: "x.csv", input: "id,subject\nT-1,Login\n",
			want: []string{`fatal: x.csv:1: not JSON: unexpected character 'i' at the start (want a ticket object, an array of tickets or one ticket per line)`},
		},
		{
			name: "utf-16", file: "w.json", input: "\xff\xfe{\x00",
			want: []string{"fatal: w.json: input is UTF-16 text; save it as UTF-8"},
		},
		{
			name: "utf-8 bom is skipped", file: "bom.jsonl", input: "\xef\xbb\xbf" + good + "\n",
			want: []string{"ok T-1"},
		},
		{
			name: "wrong field types", file: "types.jsonl",
			input: `{"id":"T-1","subject":42,"messages":[{"role":"customer","body":"x"}]}` + "\n" +
				`{"id":"T-2","messages":{"role":"customer"}}` + "\n" +
				`{"id":"T-3","messages":[{"role":"customer","body":["x"]}]}` + "\n" +
				`{"id":true,"messages":[{"role":"customer","body":"x"}]}` + "\n" +
				`["T-5"]` + "\n",
			want: []string{
				`problem: types.jsonl:1: field "subject" is a number, want a string`,
				`problem: types.jsonl:2: field "messages" is an object, want an array`,
				`problem: types.jsonl:3: field "messages.body" is an array, want a string`,
				`problem: types.jsonl:4: field "id" is a boolean, want a string`,
				`problem: types.jsonl:5: record is an array, want a ticket object`,
			},
		},
		{
			name: "no messages and unknown status and bad time", file: "v.jsonl",
			input: `{"id":"T-1"}` + "\n" +
				`{"id":"T-2","expected_status":"done","messages":[{"role":"customer","body":"x"}]}` + "\n" +
				`{"id":"T-3","created_at":"yesterday","messages":[{"role":"customer","body":"x"}]}` + "\n" +
				`{"id":"T-4","messages":[{"role":"customer","at":"2025-13-01T00:00:00Z","body":"x"}]}` + "\n" +
				`{"subject":"no id","messages":[{"role":"customer","body":"x"}]}` + "\n",
			want: []string{
				`problem: v.jsonl:1: ticket "T-1" has no messages`,
				`problem: v.jsonl:2: ticket "T-2" has unknown expected_status "done" (want resolved, awaiting_customer or awaiting_support)`,
				`problem: v.jsonl:3: ticket "T-3" has created_at "yesterday", which is not a time such as 2025-03-01T09:30:00Z, 2025-03-01 09:30:00 (UTC) or Unix seconds`,
				`problem: v.jsonl:4: ticket "T-4" message 1 has at "2025-13-01T00:00:00Z", which is not a time such as 2025-03-01T09:30:00Z, 2025-03-01 09:30:00 (UTC) or Unix seconds`,
				`problem: v.jsonl:5: ticket has no id`,
			},
		},
		{
			name: "invalid utf-8", file: "u.jsonl",
			input: `{"id":"T-1","messages":[{"role":"customer","body":"caf` + "\xe9" + `"}]}` + "\n",
			want:  []string{`problem: u.jsonl:1: ticket "T-1" is not valid UTF-8 (first bad byte at offset 54 of the record)`},
		},
		{
			name: "nul inside a later line", file: "n.jsonl",
			input: strings.Repeat(" ", 9000) + good + "\n" + `{"id":"T-2",` + "\x00" + `}` + "\n",
			want:  []string{"ok T-1", "problem: n.jsonl:2: record holds binary data (NUL bytes), not JSON"},
		},
		{
			name: "duplicate id", file: "d.jsonl",
			input: good + "\n" + good + "\n",
			want:  []string{"ok T-1", `problem: d.jsonl:2: ticket "T-1" repeats the id of the ticket at line 1`},
		},
		{
			name: "over the size limit", file: "big.jsonl", opts: ticketfile.Options{MaxTicketBytes: 100},
			input: good + "\n" + `{"id":"T-2","messages":[{"role":"customer","body":"` + strings.Repeat("x", 200) + `"}]}` + "\n" + `{"id":"T-3","messages":[{"role":"agent","body":"y"}]}`,
			want: []string{
				"ok T-1",
				"problem: big.jsonl:2: ticket is 255 bytes, over the limit of 100 bytes",
				"ok T-3",
			},
		},
		{
			name: "first line over the limit", file: "big1.jsonl", opts: ticketfile.Options{MaxTicketBytes: 60},
			input: good + "\n" + `{"id":"T-3","messages":[{"role":"agent","body":"y"}]}`,
			want: []string{
				"problem: big1.jsonl:1: ticket is 88 bytes, over the limit of 60 bytes",
				"ok T-3",
			},
		},
		{
			name: "pretty-printed over the limit", file: "big.json", opts: ticketfile.Options{MaxTicketBytes: 20},
			input: "{\n \"id\": \"T-1\",\n \"messages\": []\n}\n",
			want:  []string{"problem: big.json:1: ticket is 33 bytes, over the limit of 20 bytes"},
		},
		{
			name: "negative limit", file: "x.json", opts: ticketfile.Options{MaxTicketBytes: -1},
			input: good,
			want:  []string{"fatal: ticketfile: MaxTicketBytes is -1, want a positive size or 0 for the default"},
		},
		{
			name: "newline in an id stays on one line", file: "nl.jsonl",
			input: `{"id":"a\nb"}` + "\n",
			want:  []string{`problem: nl.jsonl:1: ticket "a\nb" has no messages`},
		},
		{
			name: "garbage after an array", file: "g.json",
			input: `[` + good + `] x`,
			want:  []string{"ok T-1", "fatal: g.json: unexpected data after the array of tickets"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := outcomes(t, tt.file, tt.input, tt.opts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("outcomes:\n got %q\nwant %q", got, tt.want)
			}
			for _, line := range got {
				if strings.Contains(line, "\n") {
					t.Errorf("message spans lines: %q", line)
				}
			}
		})
	}
}

func TestDecoderFields(t *testing.T) {
	t.Parallel()
	input := `{"id": "T-7", "subject": "Refund", "product_line": "billing",
  "customer": {"name": "Ana Lopez", "email": "ana@example.com"},
  "created_at": "2025-03-01T09:30:00Z", "updated_at": "2025-03-02T10:00:00+01:00",
  "messages": [
    {"role": "customer", "author": "Ana Lopez", "at": "2025-03-01T09:30:00Z", "body": "Please refund."},
    {"role": "agent", "author": "Sam", "body": "Done."}
  ],
  "references": ["Customer asks for a refund."], "expected_status": "resolved"}`
	tk, err := ticketfile.NewDecoder(strings.NewReader(input), "t.json", ticketfile.Options{}).Next()
	if err != nil {
		t.Fatal(err)
	}
	want := &ticketsum.Ticket{
		ID: "T-7", Subject: "Refund", ProductLine: "billing",
		Customer:  ticketsum.Customer{Name: "Ana Lopez", Email: "ana@example.com"},
		CreatedAt: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC),
		UpdatedAt: time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC),
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Ana Lopez", At: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC), Body: "Please refund."},
			{Role: ticketsum.RoleAgent, Author: "Sam", Body: "Done."},
		},
		References:     []string{"Customer asks for a refund."},
		ExpectedStatus: ticketsum.StatusResolved,
	}
	if !tk.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("UpdatedAt = %v, want %v", tk.UpdatedAt, want.UpdatedAt)
	}
	tk.UpdatedAt = want.UpdatedAt
	if !reflect.DeepEqual(tk, want) {
		t.Errorf("ticket:\n got %+v\nwant %+v", tk, want)
	}
}

func TestDecoderDialogFormat(t *testing.T) {
	t.Parallel()
	input := `{"id": "d1", "split": "test", "turns": [{"role": "customer", "text": "My order is late", "tweet_id": 1}, {"role": "agent", "text": "Sorry, DM us"}], "summaries": ["Customer says order late.", "Agent asks for DM."], "extractive": [[{"role": "customer", "text": "x"}]]}
{"id": "test_0", "turns": [{"role": "#Person1#", "text": "Hello"}, {"role": "#Person2#", "text": "Hi"}, {"role": "#Person1#", "text": "Bye"}], "summaries": ["#Person1# greets #Person2#."]}
{"id": "d3", "turns": [{"role": "narrator", "text": "x"}]}
`
	d := ticketfile.NewDecoder(strings.NewReader(input), "dialogs.jsonl", ticketfile.Options{})
	t1, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := roles(t1), []ticketsum.Role{"customer", "agent"}; !reflect.DeepEqual(got, want) {
		t.Errorf("roles = %v, want %v", got, want)
	}
	if t1.Messages[0].Body != "My order is late" || len(t1.References) != 2 {
		t.Errorf("ticket = %+v", t1)
	}
	t2, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := roles(t2), []ticketsum.Role{"customer", "agent", "customer"}; !reflect.DeepEqual(got, want) {
		t.Errorf("speaker roles = %v, want %v", got, want)
	}
	_, err = d.Next()
	if want := `dialogs.jsonl:3: ticket "d3" message 1 has unknown role "narrator" (want customer, agent or internal)`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if _, err := d.Next(); err != io.EOF {
		t.Errorf("err = %v, want EOF", err)
	}
}

func roles(t *ticketsum.Ticket) []ticketsum.Role {
	var out []ticketsum.Role
	for _, m := range t.Messages {
		out = append(out, m.Role)
	}
	return out
}

func TestDecoderProblemFields(t *testing.T) {
	t.Parallel()
	d := ticketfile.NewDecoder(strings.NewReader(good+"\n"+`{"id":"T-2","messages":[]}`), "p.jsonl", ticketfile.Options{})
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := d.Next()
	var p *ticketfile.Problem
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want a *Problem", err)
	}
	if p.Source != "p.jsonl" || p.Line != 2 || p.Record != 2 || p.TicketID != "T-2" {
		t.Errorf("problem = %+v", p)
	}
}
