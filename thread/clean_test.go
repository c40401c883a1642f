package thread_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/thread"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestCleanGolden cleans each testdata/*.in and compares with its .golden.
func TestCleanGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob("testdata/*.in")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := thread.Clean(string(body)) + "\n"
			golden := strings.TrimSuffix(in, ".in") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("Clean(%s) =\n%s\nwant\n%s", in, got, want)
			}
		})
	}
}

func TestCleanCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"entities and br", "a&nbsp;&lt;b&gt;<br/>c &#233;", "a <b>\nc é"},
		{"inline tags keep spacing", "Hello <b>world</b>! It <i>works</i>.<p>Next</p>", "Hello world! It works.\n\nNext"},
		{"plain angle brackets are not html", "if a < b and c > d then", "if a < b and c > d then"},
		{"quote lines dropped", "yes\n> old text\n>> older\nno", "yes\nno"},
		{"original message cut", "ok\n-----Original Message-----\nFrom: x\nold", "ok"},
		{"dash signature", "fixed now\n-- \nDana\nAcme", "fixed now"},
		{"thanks with bang is content", "It works now.\nThanks!", "It works now.\nThanks!"},
		{"closing with long lines after stays", "Thanks,\n" + strings.Repeat("word ", 20) + "end", "Thanks,\n" + strings.Repeat("word ", 20) + "end"},
		{"two technical lines stay", "Error below:\nERROR: card declined\nWARN: retry", "Error below:\nERROR: card declined\nWARN: retry"},
		{"long token", "key " + strings.Repeat("A", 300) + " end", "key [data omitted] end"},
		{"placeholders are prose", "Hello\n{NAME_1}\n{EMAIL_1}\n{PHONE_1} called\nend{X_1}", "Hello\n{NAME_1}\n{EMAIL_1}\n{PHONE_1} called\nend{X_1}"},
		{"closing before short lines is a signature", "Fix it.\nRegards,\n{NAME_1}\n{EMAIL_1}", "Fix it."},
		{"zero width and nbsp", "a\u200b\u00a0\u00a0b", "a b"},
		{"crlf", "a\r\n\r\n\r\nb\rc", "a\n\nb\nc"},
		{"unclosed fence", "see\n```\nx = 1\ny = 2", "see\n[code: 2 lines omitted]"},
		{"unclosed script", "<p>hi</p><script>var a = '<p>'", "hi"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := thread.Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsHTML(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"<p>hi</p>": true, "a<br>b": true, "</DIV>": true, "x < y > z": false, "List<String> x": false,
		"<LINK>": false, "": false, "<": false,
	} {
		if got := thread.IsHTML(in); got != want {
			t.Errorf("IsHTML(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestStripSignatureKeepsShortMessages(t *testing.T) {
	t.Parallel()
	in := []string{"Please refund me.", "Regards,", "Dana"}
	if got, want := thread.StripSignature(in), []string{"Please refund me."}; !reflect.DeepEqual(got, want) {
		t.Errorf("StripSignature = %q, want %q", got, want)
	}
}

// TestCleanLargeInputs checks that pathological bodies of hundreds of KB
// are cleaned and collapsed (speed is measured by BenchmarkClean).
func TestCleanLargeInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		maxLen   int
	}{
		{"many open angle brackets", strings.Repeat("<a", 100_000), 200_000},
		{"unterminated comment", "<p>x</p><!--" + strings.Repeat("-", 200_000), 10},
		{"many reply-header lookalikes", strings.Repeat("On Monday\n", 50_000), 500_000},
		{"huge log", strings.Repeat("2025-03-01 10:00:00 INFO ok\n", 20_000), 40},
		{"huge single line", strings.Repeat("word ", 100_000), 500_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := thread.Clean(tt.in); len(got) > tt.maxLen {
				t.Errorf("Clean returned %d bytes, want at most %d", len(got), tt.maxLen)
			}
		})
	}
}

func ExampleClean() {
	body := `<p>The app crashes on start since 4.2.</p><p>Log:</p><pre>
10:02:01 ERROR boot failed
10:02:02 ERROR boot failed
10:02:03 ERROR boot failed
</pre><p>Best regards,<br>Dana</p>
<blockquote>On Monday you wrote: please send a log.</blockquote>`
	fmt.Println(thread.Clean(body))
	// Output:
	// The app crashes on start since 4.2.
	//
	// Log:
	//
	// [log: 3 lines omitted]
}

func BenchmarkClean(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 300_000 {
		sb.WriteString("<p>Hi, the sync fails again &amp; again.</p>\n")
		sb.WriteString("2025-03-01T10:00:00Z ERROR sync failed code=500\n")
		sb.WriteString("> quoted older text\n")
		sb.WriteString("Plain prose line with some words about the problem and what we tried.\n")
	}
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		thread.Clean(body)
	}
}

func BenchmarkCleanPathological(b *testing.B) {
	for name, body := range map[string]string{
		"unclosed-tags": "<p>x</p>" + strings.Repeat("<a", 150_000),
		"reply-headers": strings.Repeat("On Monday\n", 30_000),
		"symbols":       strings.Repeat("{[(;)]}", 50_000),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				thread.Clean(body)
			}
		})
	}
}

// TestCleanLengthChangingCase guards offsets into lowercased text: "ẞ"
// lowercases to fewer bytes.
func TestCleanLengthChangingCase(t *testing.T) {
	t.Parallel()
	in := "<p>" + strings.Repeat("ẞ", 50) + "</p><script>x()</script><p>after</p>"
	if got, want := thread.Clean(in), strings.Repeat("ẞ", 50)+"\n\nafter"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
}
