package bedrock

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestNativeBodiesGolden pins the InvokeModel body of every family, with a
// two-turn conversation, a system prompt, stop sequences and a temperature.
func TestNativeBodiesGolden(t *testing.T) {
	t.Parallel()
	temp := 0.2
	req := &ticketsum.ModelRequest{
		System: "Summarise the ticket in one neutral paragraph.",
		Messages: []ticketsum.ChatMessage{
			{Role: ticketsum.ChatUser, Content: "Ticket: the export fails."},
			{Role: ticketsum.ChatAssistant, Content: "The export failed."},
			{Role: ticketsum.ChatUser, Content: "Shorter, please."},
		},
		CacheSystem:   true,
		MaxTokens:     150,
		Temperature:   &temp,
		StopSequences: []string{"\n\n"},
	}
	for _, tc := range []struct {
		name, id string
		cache    bool
	}{
		{"anthropic", "anthropic.claude-3-5-haiku-20241022-v1:0", false},
		{"anthropic-cached", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", true},
		{"nova", "amazon.nova-lite-v1:0", false},
		{"nova-cached", "amazon.nova-pro-v1:0", true},
		{"llama", "meta.llama3-3-70b-instruct-v1:0", false},
		{"mistral-prompt", "mistral.mixtral-8x7b-instruct-v0:1", false},
		{"mistral-chat", "mistral.mistral-large-2407-v1:0", false},
		{"titan", "amazon.titan-text-express-v1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := &Model{cfg: Config{ModelID: tc.id, MaxTokens: DefaultMaxTokens, PromptCaching: tc.cache}, ref: ParseModelID(tc.id)}
			body, err := m.nativeBody(req)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", "native", tc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := pretty.String(); got != string(want) {
				t.Errorf("body differs from %s:\n%s", path, got)
			}
			if !strings.Contains(string(body), "150") {
				t.Errorf("max tokens not in body: %s", body)
			}
		})
	}
}
