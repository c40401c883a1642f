package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// The tickets of testdata/newcomer/desk.jsonl were written for these tests:
// what a real desk produces and the bundled sample does not cover. deskWant
// gives what each summary must say (status; "" accepts any valid status) and
// strings it must not contain beyond the ticket's people, which are always
// forbidden.
var deskWant = map[string]struct {
	status    ticketsum.Status
	forbidden []string
}{
	"N-01":  {ticketsum.StatusAwaitingSupport, nil},                                                          // one message, no reply yet
	"N-02":  {ticketsum.StatusAwaitingCustomer, []string{"901820", "hotline", "OAuth"}},                      // internal note and agent reply only; signature phone
	"N-03":  {ticketsum.StatusResolved, []string{"<", "From:", "Sent:", "1234567", "support@"}},              // Outlook HTML, nested quoted replies
	"N-04":  {ticketsum.StatusResolved, []string{"😡", "مرحبا"}},                                              // emoji and RTL text
	"N-05":  {ticketsum.StatusResolved, []string{"こんにちは", "你好", "谢谢"}},                                       // Chinese and Japanese
	"N-06":  {"", []string{"Tillwise Pro"}},                                                                  // customer name is a product name
	"N-07":  {"", []string{"555", "7946", "0018", "12 34", "07700", "9876"}},                                 // phones in many formats
	"N-08":  {ticketsum.StatusAwaitingCustomer, []string{"4111", "5500", "0004", "CVV", "09/28"}},            // card numbers
	"N-09":  {"", []string{"DE89", "3704", "NL91", "ABNA", "Harbour", "Bristol", "BS1"}},                     // IBANs and an address
	"N-10":  {ticketsum.StatusAwaitingSupport, []string{"7700", "900456", "tillwise.example"}},               // agent signature with a phone
	"N-11":  {ticketsum.StatusAwaitingSupport, []string{"INC-3310"}},                                         // escalation, no resolution
	"N-12":  {ticketsum.StatusResolved, nil},                                                                 // refund
	"N-13":  {ticketsum.StatusResolved, nil},                                                                 // duplicate ticket merged
	"N-14":  {"", []string{"cheap-watches", "http", "90%"}},                                                  // spam
	"N-15":  {ticketsum.StatusAwaitingCustomer, []string{"Ignore previous", "poem", "home address"}},         // prompt injection
	"N-16":  {"", []string{"<script", "alert", "</ticket>", "SYSTEM", "<b>"}},                                // markup in the body and subject
	"N-17":  {ticketsum.StatusAwaitingCustomer, nil},                                                         // agent asks for a test
	"N-18":  {ticketsum.StatusAwaitingSupport, nil},                                                          // question, no reply
	"N-19":  {ticketsum.StatusAwaitingSupport, nil},                                                          // fix promised
	"N-20":  {ticketsum.StatusResolved, nil},                                                                 // how-to, confirmed
	"N-21":  {ticketsum.StatusResolved, []string{"0753", "Original Message", "Operations Manager", "Cafés"}}, // forwarded thread with signature
	"N-22":  {ticketsum.StatusAwaitingCustomer, []string{"Umlaute", "Treiber"}},                              // German, agent asks in German
	"N-23":  {ticketsum.StatusAwaitingCustomer, nil},                                                         // proactive agent message only
	"N-24":  {"", []string{"Jane", "Porter", "northwind", "078-05-1120", "88213"}},                           // a third person's data
	"N-25":  {ticketsum.StatusResolved, []string{"damn", "shit"}},                                            // profanity
	"N-26":  {ticketsum.StatusResolved, []string{"Rue", "Paix", "75002", "Paris"}},                           // postal address
	"BIG-1": {ticketsum.StatusAwaitingCustomer, []string{"ERROR", "10.0.", "sync-worker", "2026-11-24T03"}},  // 300 KB pasted log
}

// bigLogTicket returns one JSON line: a ticket of about 300 KB whose
// customer pasted a log.
func bigLogTicket(tb testing.TB) string {
	tb.Helper()
	var log strings.Builder
	for i := 0; log.Len() < 300<<10; i++ {
		fmt.Fprintf(&log, "2026-11-24T03:%02d:%02d.%03dZ ERROR sync-worker[%d] order=%d upstream timeout after 30000ms retrying (attempt %d/5) host=10.0.%d.%d\n",
			i/60%60, i%60, i%1000, i%17, 100000+i, i%5+1, i%255, i%200)
	}
	t := map[string]any{
		"id": "BIG-1", "subject": "Sync worker keeps timing out", "product_line": "integrations-api",
		"customer": map[string]string{"name": "Ivo Novak", "email": "ivo@novak-shop.example"},
		"messages": []map[string]string{
			{"role": "customer", "author": "Ivo Novak", "body": "Hi, our nightly order sync fails every night. Here is the full log:\n\n" + log.String() + "\nCan you check what is going on?"},
			{"role": "agent", "author": "Kate Bell", "body": "Thanks for the log. The timeouts come from your firewall blocking our new IP range; I have sent you the list of IPs to allow. Please confirm once updated."},
		},
	}
	b, err := json.Marshal(t)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// MustDeskFile writes desk.jsonl plus the big ticket to a temporary file and
// returns its path and the tickets by id.
func MustDeskFile(tb testing.TB) (string, map[string]*ticketsum.Ticket) {
	tb.Helper()
	desk, err := os.ReadFile(filepath.Join("testdata", "newcomer", "desk.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "desk.jsonl")
	content := string(desk) + bigLogTicket(tb) + "\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	tickets := map[string]*ticketsum.Ticket{}
	dec := ticketfile.NewDecoder(strings.NewReader(content), "desk.jsonl", ticketfile.Options{})
	for {
		t, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		tickets[t.ID] = t
	}
	if len(tickets) != len(deskWant) {
		tb.Fatalf("desk has %d tickets, deskWant %d", len(tickets), len(deskWant))
	}
	return path, tickets
}

// personalData returns the ticket's people as the words a summary must not
// contain: every part of a name of three letters or more, and every email.
func personalData(t *ticketsum.Ticket) []string {
	roleWords := map[string]bool{"Support": true, "Bot": true, "Team": true}
	var out []string
	for _, p := range t.People() {
		if strings.Contains(p, "@") {
			out = append(out, p)
			continue
		}
		for _, part := range strings.Fields(p) {
			if len([]rune(part)) >= 3 && !roleWords[part] {
				out = append(out, part)
			}
		}
	}
	return out
}

// checkSummary checks one summary of a desk ticket: one English paragraph
// of at most 60 words, the expected status, no personal or forbidden data.
func checkSummary(t *testing.T, tk *ticketsum.Ticket, text string, status ticketsum.Status) {
	t.Helper()
	want, ok := deskWant[tk.ID]
	if !ok {
		t.Errorf("unexpected ticket %q", tk.ID)
		return
	}
	if n := len(strings.Fields(text)); n == 0 || n > ticketsum.MaxSummaryWords {
		t.Errorf("%s: summary has %d words: %q", tk.ID, n, text)
	}
	if strings.ContainsAny(text, "\r\n") {
		t.Errorf("%s: summary is not one paragraph: %q", tk.ID, text)
	}
	for _, r := range text {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			t.Errorf("%s: summary is not English (%q): %q", tk.ID, r, text)
			break
		}
	}
	if !status.Valid() || want.status != "" && status != want.status {
		t.Errorf("%s: status %q, want %q; summary %q", tk.ID, status, want.status, text)
	}
	for _, f := range append(personalData(tk), want.forbidden...) {
		if strings.Contains(text, f) {
			t.Errorf("%s: summary contains %q: %q", tk.ID, f, text)
		}
	}
}

// TestNewcomerSummarizeDesk runs `summarize --json` on the desk tickets and
// checks every summary.
func TestNewcomerSummarizeDesk(t *testing.T) {
	t.Parallel()
	path, tickets := MustDeskFile(t)
	r := run(t, context.Background(), "", "summarize", "--json", "--config", tempConfig(t), path)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var s summaryJSON
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("output line is not JSON: %v: %q", err, line)
		}
		seen[s.TicketID] = true
		if s.Model != "builtin" || s.PromptVersion == "" {
			t.Errorf("%s: model %q, prompt version %q", s.TicketID, s.Model, s.PromptVersion)
		}
		if tk := tickets[s.TicketID]; tk != nil {
			checkSummary(t, tk, s.Summary, ticketsum.Status(s.Status))
		}
	}
	if len(seen) != len(tickets) {
		t.Errorf("%d summaries for %d tickets", len(seen), len(tickets))
	}
}

// TestNewcomerInputs runs summarize on the inputs a desk exports and a
// hostile tester sends, and checks the exit code, the tickets summarised
// and the one-line messages on stderr.
func TestNewcomerInputs(t *testing.T) {
	t.Parallel()
	ok := func(id string) string {
		return `{"id":"` + id + `","messages":[{"role":"customer","body":"The card reader shows error E42."},{"role":"agent","body":"Please restart the reader."}]}`
	}
	big := strings.Replace(ok("B"), "E42.", "E42."+strings.Repeat(" x", 600), 1)
	tests := []struct {
		name    string
		content string // written to a file
		args    []string
		code    int
		ids     []string
		stderr  []string // substrings, each on its own line
	}{
		{name: "bom", content: "\xef\xbb\xbf" + ok("A") + "\n", code: exitOK, ids: []string{"A"}},
		{name: "crlf", content: ok("A") + "\r\n" + ok("B") + "\r\n", code: exitOK, ids: []string{"A", "B"}},
		{name: "pretty array", content: "[\n  " + ok("A") + ",\n  " + ok("B") + "\n]\n", code: exitOK, ids: []string{"A", "B"}},
		{name: "pretty object with bom and crlf", content: "\xef\xbb\xbf{\r\n  \"id\": \"P\",\r\n  \"messages\": [{\"role\": \"Customer\", \"body\": \"Printer jams.\"}]\r\n}\r\n", code: exitOK, ids: []string{"P"}},
		{name: "empty array", content: "[]", code: exitOK},
		{
			name: "duplicate ids", content: ok("A") + "\n" + ok("B") + "\n" + ok("A") + "\n", code: exitUsage, ids: []string{"A", "B"},
			stderr: []string{`:3: ticket "A" repeats the id of the ticket at line 1`},
		},
		{
			name: "numbers as ids", content: strings.Replace(ok("X"), `"X"`, `12345`, 1) + "\n" + strings.Replace(ok("X"), `"X"`, `1.5`, 1) + "\n",
			code: exitUsage, ids: []string{"12345"}, stderr: []string{`:2: field "id" is the number 1.5, want a string or a whole number`},
		},
		{
			name:    "null and missing optional fields",
			content: `{"id":"N","subject":null,"customer":null,"created_at":null,"messages":[{"role":"customer","author":null,"at":null,"body":"Printer jams."}]}` + "\n" + `{"id":"M","messages":[{"role":"customer","body":"App crashes."}]}` + "\n",
			code:    exitOK, ids: []string{"N", "M"},
		},
		{
			name:    "other time formats",
			content: strings.Replace(ok("T1"), `"messages"`, `"created_at":"2026-11-25 10:00:00","messages"`, 1) + "\n" + strings.Replace(ok("T2"), `"messages"`, `"created_at":1764064800,"messages"`, 1) + "\n" + strings.Replace(ok("T3"), `"messages"`, `"created_at":"25/11/2026","messages"`, 1) + "\n",
			code:    exitUsage, ids: []string{"T1", "T2"}, stderr: []string{`:3: ticket "T3" has created_at "25/11/2026", which is not a time`},
		},
		{
			name: "blank thread and blank id", content: `{"id":"E","messages":[{"role":"customer","body":"  "}]}` + "\n" + strings.Replace(ok("X"), `"X"`, `" "`, 1) + "\n" + ok("G") + "\n",
			code: exitUsage, ids: []string{"G"}, stderr: []string{`:1: ticket "E" has no text: every message body is empty`, `:2: ticket id is blank`},
		},
		{name: "empty file", content: "", code: exitUsage, stderr: []string{"input is empty"}},
		{name: "binary", content: "\x89PNG\r\n\x1a\n\x00\x00", code: exitUsage, stderr: []string{"input is binary, not JSON"}},
		{name: "utf-16", content: "\xff\xfe{\x00", code: exitUsage, stderr: []string{"input is UTF-16 text; save it as UTF-8"}},
		{name: "csv", content: "id,subject\n1,x\n", code: exitUsage, stderr: []string{"not JSON: unexpected character 'i'"}},
		{
			name: "over the size limit", content: ok("A") + "\n" + big + "\n" + ok("C") + "\n",
			args: []string{"--max-ticket-bytes", "1000"}, code: exitUsage, ids: []string{"A", "C"}, stderr: []string{fmt.Sprintf(":2: ticket is %d bytes, over the limit of 1000 bytes: raise the limit with --max-ticket-bytes BYTES, TICKETSUM_MAX_TICKET_BYTES or max_ticket_bytes in the configuration", len(big))},
		},
		{name: "unknown flag", content: ok("A"), args: []string{"--frobnicate"}, code: exitUsage, stderr: []string{"unknown flag: --frobnicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "in.json", tt.content)
			args := append([]string{"summarize", "--json", "--config", tempConfig(t)}, tt.args...)
			r := run(t, context.Background(), "", append(args, path)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			var ids []string
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if line == "" {
					continue
				}
				var s summaryJSON
				if err := json.Unmarshal([]byte(line), &s); err != nil {
					t.Fatalf("output line is not JSON: %q", line)
				}
				ids = append(ids, s.TicketID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("summarised %q, want %q", ids, tt.ids)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr shows a panic: %q", r.stderr)
			}
		})
	}
}

// TestNewcomerMissingInput checks the usage errors for an input that is not
// a readable file.
func TestNewcomerMissingInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.jsonl"), "no such file or directory"},
		{"directory", dir, "is a directory, want a ticket file"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"summarize", "import"} {
			t.Run(tt.name+" "+cmd, func(t *testing.T) {
				t.Parallel()
				r := run(t, context.Background(), "", cmd, "--config", tempConfig(t), tt.path)
				if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", r.code, r.stderr, tt.want)
				}
			})
		}
	}
}

// TestNewcomerServeAddressInUse: serve on an address something else holds
// fails with exit 1 naming the address and the settings that choose
// another.
func TestNewcomerServeAddressInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	r := run(t, context.Background(), "", "serve", "--config", tempConfig(t), "--no-sample", "--addr", addr)
	for _, want := range []string{"listen on " + addr, "address already in use", "--addr HOST:PORT, TICKETSUM_ADDR or server.addr"} {
		if r.code != exitFailure || !strings.Contains(r.stderr, want) {
			t.Fatalf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, want)
		}
	}
}

// TestNewcomerSourceNeedsPostgres: the source commands on the default
// SQLite store say which settings point them at Postgres, with exit 2.
func TestNewcomerSourceNeedsPostgres(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"watch", "--once"}, {"backfill", "--since", "2026-01-01"}, {"install-trigger"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			r := run(t, context.Background(), "", append(args, "--config", tempConfig(t))...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "set it with --db postgres://..., TICKETSUM_DB or db in the configuration") ||
				!strings.Contains(r.stderr, "docs/postgres.md") {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming --db, TICKETSUM_DB, db and docs/postgres.md", r.code, r.stderr)
			}
		})
	}
}

// TestNewcomerImportTooBig: a ticket over the size limit is refused naming
// the settings that raise the limit (import has no flag for it), the
// other tickets are imported, and raising max_ticket_bytes lets it in.
func TestNewcomerImportTooBig(t *testing.T) {
	t.Parallel()
	ok := `{"id":"A","messages":[{"role":"customer","body":"The card reader shows error E42."}]}`
	big := `{"id":"B","messages":[{"role":"customer","body":"The card reader shows error E42.` + strings.Repeat(" x", 600) + `"}]}`
	in := writeFile(t, "in.jsonl", ok+"\n"+big+"\n")
	cfg := tempConfig(t)
	appendFile(t, cfg, "max_ticket_bytes: 1000\n")
	r := run(t, context.Background(), "", "import", "--config", cfg, in)
	want := fmt.Sprintf(`:2: ticket is %d bytes, over the limit of 1000 bytes: raise the limit with max_ticket_bytes in the configuration or TICKETSUM_MAX_TICKET_BYTES`, len(big))
	if r.code != exitUsage || !strings.Contains(r.stderr, want) || !strings.Contains(r.stdout, "imported 1 ticket") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2, one ticket imported and %q", r.code, r.stdout, r.stderr, want)
	}
	raised, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, bytes.Replace(raised, []byte("max_ticket_bytes: 1000"), []byte("max_ticket_bytes: 2000"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, context.Background(), "", "import", "--config", cfg, in)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 queued for summary, 1 unchanged, 0 bad") {
		t.Fatalf("with the limit raised: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestNewcomerImportServe imports the desk tickets, imports them again (no
// new work), serves them until every ticket has a summary, checks each
// summary through the API and the logs for personal data, and shuts down
// as SIGINT does, with exit 0.
func TestNewcomerImportServe(t *testing.T) {
	t.Parallel()
	path, tickets := MustDeskFile(t)
	cfg := tempConfig(t)
	r := run(t, context.Background(), "", "import", "--config", cfg, path)
	if want := fmt.Sprintf("%d queued for summary, 0 unchanged, 0 bad", len(tickets)); r.code != exitOK || !strings.Contains(r.stdout, want) {
		t.Fatalf("import: exit %d, stdout %q, want %q", r.code, r.stdout, want)
	}
	logs := r.stderr
	r = run(t, context.Background(), "", "import", "--config", cfg, path)
	if want := fmt.Sprintf("0 queued for summary, %d unchanged", len(tickets)); r.code != exitOK || !strings.Contains(r.stdout, want) {
		t.Fatalf("second import: exit %d, stdout %q, want %q", r.code, r.stdout, want)
	}
	bad := writeFile(t, "bad.jsonl", `{"id":"Z-1","messages":[{"role":"customer","body":"Printer jams."}]}`+"\n"+`{"id":"Z-2","messages":[{"role":"bot","body":"x"}]}`+"\n")
	r = run(t, context.Background(), "", "import", "--config", cfg, bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, `bad.jsonl:2: ticket "Z-2" message 1 has unknown role "bot"`) || !strings.Contains(r.stdout, "1 queued for summary, 0 unchanged, 1 bad") {
		t.Fatalf("import with a bad record: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--config", cfg, "--addr", "127.0.0.1:0", "--no-sample"}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	}()
	addr := waitFor(t, &stderr, regexp.MustCompile(`serving on (http://\S+)`), done)
	list := waitForSummaries(t, addr+"/api/tickets?limit=100", len(tickets)+1, done)
	for _, it := range list.Tickets {
		if it.ID == "Z-1" {
			continue
		}
		tk := tickets[it.ID]
		if tk == nil {
			t.Errorf("unexpected ticket %q", it.ID)
			continue
		}
		checkSummary(t, tk, it.Summary.Text, it.Summary.Status)
	}
	// The page of the ticket with markup in its subject and body shows it as text.
	page := waitForPage(t, addr+"/tickets/N-16", "<dt>Model</dt>", done)
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "</ticket>") || !strings.Contains(page, "<h1>&lt;script&gt;alert(") {
		t.Errorf("markup of ticket N-16 is not escaped on its page")
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d after interrupt, want 0: %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop after interrupt")
	}
	logs += stderr.String()
	if strings.Contains(logs, "panic") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("logs show an error or a panic: %s", logs)
	}
	for _, tk := range tickets {
		for _, p := range personalData(tk) {
			if strings.Contains(logs, p) {
				t.Errorf("logs contain personal data %q of %s", p, tk.ID)
			}
		}
	}
}

// apiList is the part of GET /api/tickets the test reads.
type apiList struct {
	Tickets []struct {
		ID      string `json:"id"`
		Summary *struct {
			Text   string           `json:"summary"`
			Status ticketsum.Status `json:"status"`
		} `json:"summary"`
	} `json:"tickets"`
}

// waitForSummaries polls url until n tickets all have a summary.
func waitForSummaries(t *testing.T, url string, n int, done chan int) apiList {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	var list apiList
	for time.Now().Before(deadline) {
		list = apiList{}
		if resp, err := http.Get(url); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&list)
			resp.Body.Close()
			summarised := 0
			for _, it := range list.Tickets {
				if it.Summary != nil {
					summarised++
				}
			}
			if err == nil && len(list.Tickets) == n && summarised == n {
				return list
			}
		}
		select {
		case code := <-done:
			t.Fatalf("server exited %d", code)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %d summaries at %s: %+v", n, url, list)
	return list
}

// TestNewcomerControlCharacters checks that escape sequences in a ticket
// (colour codes, a terminal title change) never reach the summary printed
// on a terminal.
func TestNewcomerControlCharacters(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "esc.jsonl", `{"id":"ESC","messages":[{"role":"customer","body":"\u001b[31mURGENT\u001b[0m my receipt printer is broken since today."},{"role":"agent","body":"Please restart the printer \u001b]0;pwned\u0007 and tell us."}]}`+"\n")
	r := run(t, context.Background(), "", "summarize", "--config", tempConfig(t), in)
	if r.code != exitOK || !strings.Contains(r.stdout, "ESC [awaiting_customer]") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") || strings.Contains(r.stdout, "pwned") || strings.Contains(r.stdout, "[31m") {
		t.Errorf("control sequences reached the output: %q", r.stdout)
	}
}

// TestNewcomerHelp checks that asked-for help goes to stdout with exit 0,
// and that running with no command prints it on stderr with exit 2.
func TestNewcomerHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout bool
	}{
		{"no command", nil, exitUsage, false},
		{"help", []string{"help"}, exitOK, true},
		{"--help", []string{"--help"}, exitOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, context.Background(), "", tt.args...)
			out, other := r.stdout, r.stderr
			if !tt.wantStdout {
				out, other = r.stderr, r.stdout
			}
			if r.code != tt.code || !strings.Contains(out, "summarize") || other != "" {
				t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestNewcomerSummarizeOnATerminal checks that summarize without a FILE
// does not wait silently on a terminal; /dev/null stands in for one, being
// a character device too.
func TestNewcomerSummarizeOnATerminal(t *testing.T) {
	t.Parallel()
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip("no", os.DevNull)
	}
	defer tty.Close()
	var out, errb syncBuffer
	code := Main(context.Background(), []string{"summarize", "--config", tempConfig(t)}, tty, &out, &errb, func(string) string { return "" })
	if code != exitUsage || !strings.Contains(errb.String(), "want a ticket FILE, or - to read tickets") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
