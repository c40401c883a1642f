package ticketfile_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/ticketfile"
)

// Inputs as real help desks export them: other time formats, numbers as
// ids, nulls, capitalised roles, CRLF, BOMs and pretty-printed arrays.
func TestDecoderDeskExports(t *testing.T) {
	t.Parallel()
	msg := `"messages":[{"role":"customer","body":"The printer jams."}]`
	tests := []struct {
		name  string
		file  string
		input string
		want  []string
	}{
		{
			name: "other time formats", file: "times.jsonl",
			input: `{"id":"TM-1","created_at":"2026-11-25 10:00:00",` + msg + `}` + "\n" +
				`{"id":"TM-2","created_at":1764064800,` + msg + `}` + "\n" +
				`{"id":"TM-3","updated_at":"2026-11-25T10:00:00",` + msg + `}` + "\n" +
				`{"id":"TM-4","created_at":"2026-11-25",` + msg + `}` + "\n" +
				`{"id":"TM-5","created_at":"2026-11-25 10:00:00+01:00",` + msg + `}` + "\n" +
				`{"id":"TM-6","created_at":1764064800.25,` + msg + `}` + "\n" +
				`{"id":"TM-7","created_at":"2026-11-25 10:00",` + msg + `}` + "\n",
			want: []string{"ok TM-1", "ok TM-2", "ok TM-3", "ok TM-4", "ok TM-5", "ok TM-6", "ok TM-7"},
		},
		{
			name: "times refused", file: "times.jsonl",
			input: `{"id":"TB-1","created_at":"25/11/2026",` + msg + `}` + "\n" +
				`{"id":"TB-2","created_at":1764064800123,` + msg + `}` + "\n" +
				`{"id":"TB-3","created_at":"1764064800",` + msg + `}` + "\n" +
				`{"id":"TB-4","created_at":true,` + msg + `}` + "\n" +
				`{"id":"TB-5","messages":[{"role":"agent","at":-5,"body":"x"}]}` + "\n",
			want: []string{
				`problem: times.jsonl:1: ticket "TB-1" has created_at "25/11/2026", which is not a time such as 2025-03-01T09:30:00Z, 2025-03-01 09:30:00 (UTC) or Unix seconds`,
				`problem: times.jsonl:2: ticket "TB-2" has created_at 1764064800123, which is out of range for Unix seconds (milliseconds? divide by 1000)`,
				`problem: times.jsonl:3: ticket "TB-3" has created_at "1764064800", which is not a time such as 2025-03-01T09:30:00Z, 2025-03-01 09:30:00 (UTC) or Unix seconds`,
				`problem: times.jsonl:4: ticket "TB-4" has created_at a boolean, want a time string or Unix seconds`,
				`problem: times.jsonl:5: ticket "TB-5" message 1 has at -5, which is out of range for Unix seconds (milliseconds? divide by 1000)`,
			},
		},
		{
			name: "ids", file: "ids.jsonl",
			input: `{"id":12345,` + msg + `}` + "\n" +
				`{"id":"12345",` + msg + `}` + "\n" +
				`{"id":1.5,` + msg + `}` + "\n" +
				`{"id":"   ",` + msg + `}` + "\n" +
				`{"id":"A` + `\t` + `B",` + msg + `}` + "\n" +
				`{"id":null,` + msg + `}` + "\n" +
				`{"id":12345678901234567890123,` + msg + `}` + "\n" +
				`{"id":` + strings.Repeat("9", 300) + `,` + msg + `}` + "\n",
			want: []string{
				"ok 12345",
				`problem: ids.jsonl:2: ticket "12345" repeats the id of the ticket at line 1`,
				`problem: ids.jsonl:3: field "id" is the number 1.5, want a string or a whole number`,
				`problem: ids.jsonl:4: ticket id is blank`,
				`problem: ids.jsonl:5: ticket "A\tB" has a control character (such as a line break) in its id`,
				`problem: ids.jsonl:6: field "id" is null, want a string`,
				"ok 12345678901234567890123",
				`problem: ids.jsonl:8: field "id" is a number of 300 digits, longer than the 256 characters an id may have`,
			},
		},
		{
			name: "nulls are missing fields; blank threads are refused", file: "nulls.jsonl",
			input: `{"id":"X-1","subject":null,"product_line":null,"customer":null,"created_at":null,"messages":[{"role":"customer","author":null,"at":null,"body":"Printer jams."}],"references":null,"expected_status":null}` + "\n" +
				`{"id":"X-2","messages":[{"role":"customer","body":null},{"role":"agent","body":"Please send a photo."}]}` + "\n" +
				`{"id":"X-3","messages":[{"role":"customer","body":""},{"role":"agent","body":" \r\n "}]}` + "\n" +
				`{"id":"X-4","messages":null}` + "\n",
			want: []string{
				"ok X-1", "ok X-2",
				`problem: nulls.jsonl:3: ticket "X-3" has no text: every message body is empty`,
				`problem: nulls.jsonl:4: ticket "X-4" has no messages`,
			},
		},
		{
			name: "roles in any case", file: "roles.jsonl",
			input: `{"id":"R-1","messages":[{"role":"Customer","body":"x"},{"role":" AGENT ","body":"y"},{"role":"Internal","body":"z"}]}` + "\n" +
				`{"id":"R-2","messages":[{"role":"Bot","body":"x"}]}` + "\n",
			want: []string{"ok R-1", `problem: roles.jsonl:2: ticket "R-2" message 1 has unknown role "Bot" (want customer, agent or internal)`},
		},
		{
			name: "crlf lines", file: "crlf.jsonl",
			input: `{"id":"C-1",` + msg + "}\r\n\r\n" + `{"id":"C-2",` + msg + "}\r\n",
			want:  []string{"ok C-1", "ok C-2"},
		},
		{
			name: "bom then pretty-printed crlf object", file: "p.json",
			input: "\xef\xbb\xbf{\r\n  \"id\": \"P-1\",\r\n  " + msg + "\r\n}\r\n",
			want:  []string{"ok P-1"},
		},
		{
			name: "pretty-printed array with a duplicate", file: "a.json",
			input: "[\n  {\n    \"id\": \"A-1\",\n    " + msg + "\n  },\n  {\"id\": \"A-2\", " + msg + "},\n  {\"id\": \"A-1\", " + msg + "}\n]\n",
			want:  []string{"ok A-1", "ok A-2", `problem: a.json: record 3: ticket "A-1" repeats the id of the ticket at record 1`},
		},
		{
			name: "pretty-printed objects one after another", file: "c.json",
			input: "{\n  \"id\": \"K-1\",\n  " + msg + "\n}\n{\n  \"id\": \"K-2\",\n  " + msg + "\n}\n",
			want:  []string{"ok K-1", "ok K-2"},
		},
		{
			name: "empty array", file: "e.json", input: "[ ]\n",
			want: nil,
		},
	}
	bad := "{\n  \"id\": \"B-1\",\n  " + msg + "\n}\n{\n  \"id\": \"B-2\",\n  \"messages\": []\n}\n{\n  \"id\": \"B-3\",\n  \"messages\": [,]\n}\n"
	tests = append(tests, struct {
		name  string
		file  string
		input string
		want  []string
	}{name: "lines of later pretty-printed objects", file: "b.json", input: bad, want: []string{
		"ok B-1", `problem: b.json:5: ticket "B-2" has no messages`, "fatal: b.json:11: not JSON: invalid character ',' looking for beginning of value"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := outcomes(t, tt.file, tt.input, ticketfile.Options{})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("outcomes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDecoderTimeValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"2026-11-25T10:00:00Z"`, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`"2026-11-25T11:00:00+01:00"`, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`"2026-11-25 10:00:00"`, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`"2026-11-25 10:00:00.5"`, time.Date(2026, 11, 25, 10, 0, 0, 5e8, time.UTC)},
		{`"2026-11-25T10:00:00"`, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`"2026-11-25 11:00:00+01:00"`, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`"2026-11-25"`, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{`1764064800`, time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)},
		{`1764064800.5`, time.Date(2025, 11, 25, 10, 0, 0, 5e8, time.UTC)},
		{`0`, time.Unix(0, 0).UTC()},
		{`""`, time.Time{}},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			in := `{"id":"T","created_at":` + tt.in + `,"messages":[{"role":"customer","at":` + tt.in + `,"body":"x"}]}`
			tk, err := ticketfile.NewDecoder(strings.NewReader(in), "t.json", ticketfile.Options{}).Next()
			if err != nil {
				t.Fatal(err)
			}
			if !tk.CreatedAt.Equal(tt.want) || !tk.Messages[0].At.Equal(tt.want) {
				t.Errorf("created_at %v, at %v, want %v", tk.CreatedAt, tk.Messages[0].At, tt.want)
			}
		})
	}
}

// Control characters would reach terminals, pages and prompts: escape
// sequences and other controls are removed from text fields, tabs and line
// breaks are kept.
func TestDecoderStripsControlCharacters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"ansi colours", `\u001b[31mERROR\u001b[0m sync failed`, "ERROR sync failed"},
		{"window title", `restart \u001b]0;pwned\u0007now`, "restart now"},
		{"osc ended by st", `a\u001b]8;;http://x\u001b\\b`, "ab"},
		{"bell, nul and c1", `be\u0007ll n\u0000ul c\u0085one`, "bell nul cone"},
		{"bidi override", `file\u202egnp.exe`, "filegnp.exe"},
		{"tabs and line breaks kept", `a\tb\r\nc`, "a\tb\r\nc"},
		{"lone escape at the end", `end\u001b`, "end"},
		{"rtl text kept", `مرحبا שלום`, "مرحبا שלום"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := `{"id":"T","subject":"S ` + tt.body + `","messages":[{"role":"customer","author":"A` + tt.body + `","body":"` + tt.body + `"}]}`
			tk, err := ticketfile.NewDecoder(strings.NewReader(in), "t.json", ticketfile.Options{}).Next()
			if err != nil {
				t.Fatal(err)
			}
			if got := tk.Messages[0].Body; got != tt.want {
				t.Errorf("body = %q, want %q", got, tt.want)
			}
			if got := tk.Subject; got != "S "+tt.want {
				t.Errorf("subject = %q, want %q", got, "S "+tt.want)
			}
			if got := tk.Messages[0].Author; got != "A"+tt.want {
				t.Errorf("author = %q, want %q", got, "A"+tt.want)
			}
		})
	}
}

// jq '.tickets[]' writes pretty-printed objects one after another: each must
// fit the size limit, not the whole input, and an object far over the limit
// is not read into memory whole.
func TestDecoderPrettyStream(t *testing.T) {
	t.Parallel()
	obj := func(id, body string) string {
		return "{\n  \"id\": \"" + id + "\",\n  \"messages\": [\n    {\"role\": \"customer\", \"body\": \"" + body + "\"}\n  ]\n}\n"
	}
	var jq strings.Builder
	var want []string
	for i := range 40 {
		id := fmt.Sprintf("J-%d", i)
		jq.WriteString(obj(id, "The printer jams."))
		want = append(want, "ok "+id)
	}
	if got := outcomes(t, "jq.json", jq.String(), ticketfile.Options{MaxTicketBytes: 200}); !reflect.DeepEqual(got, want) {
		t.Errorf("jq output:\n got %q\nwant %q", got, want)
	}

	huge := obj("H-2", strings.Repeat("x", 200<<10))
	input := obj("H-1", "ok") + huge + obj("H-3", "never read")
	got := outcomes(t, "h.json", input, ticketfile.Options{MaxTicketBytes: 1000})
	want = []string{"ok H-1", fmt.Sprintf("problem: h.json:7: ticket is %d bytes, over the limit of 1000 bytes", len(huge)+len(obj("H-3", "never read")))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("huge object:\n got %q\nwant %q", got, want)
	}
}

// An array element far over the size limit is not read into memory whole:
// it is reported and the rest of the array skipped.
func TestDecoderArrayElementFarOverTheLimit(t *testing.T) {
	t.Parallel()
	el := func(id, body string) string {
		return `{"id":"` + id + `","messages":[{"role":"customer","body":"` + body + `"}]}`
	}
	input := "[" + el("A-1", "ok") + "," + el("A-2", strings.Repeat("x", 200<<10)) + "," + el("A-3", "skipped") + "]"
	got := outcomes(t, "a.json", input, ticketfile.Options{MaxTicketBytes: 1000})
	want := []string{"ok A-1", "problem: a.json: record 2: ticket is over the limit of 1000 bytes; the rest of the array is skipped"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes:\n got %q\nwant %q", got, want)
	}
	// Just over the limit, the element is measured and the rest read.
	input = "[" + el("A-1", "ok") + "," + el("A-2", strings.Repeat("x", 1100)) + "," + el("A-3", "read") + "]"
	got = outcomes(t, "a.json", input, ticketfile.Options{MaxTicketBytes: 1000})
	want = []string{"ok A-1", fmt.Sprintf("problem: a.json: record 2: ticket is %d bytes, over the limit of 1000 bytes", len(el("A-2", strings.Repeat("x", 1100)))), "ok A-3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes:\n got %q\nwant %q", got, want)
	}
}
