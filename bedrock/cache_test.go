package bedrock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// longSystem is a static system prompt long enough to be cached.
func longSystem() string {
	return strings.Repeat("Write one neutral paragraph: the issue, what the agent did, whether it is resolved. ", 60)
}

func TestPromptCachingCountsWriteThenRead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		model, api string
		stream     bool
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", bedrock.APIConverse, false},
		{"us.anthropic.claude-sonnet-4-20250514-v1:0", bedrock.APIConverse, true},
		{"anthropic.claude-3-7-sonnet-20250219-v1:0", bedrock.APIInvoke, false},
		{"anthropic.claude-3-7-sonnet-20250219-v1:0", bedrock.APIInvoke, true},
		{"amazon.nova-pro-v1:0", bedrock.APIInvoke, false},
		{"us.amazon.nova-lite-v1:0", bedrock.APIConverse, false},
	} {
		t.Run(fmt.Sprintf("%s/%s/%v", tc.model, tc.api, tc.stream), func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
			m := MustModel(t, srv, bedrock.Config{ModelID: tc.model, API: tc.api, Stream: tc.stream, PromptCaching: true})
			system := longSystem()
			sys := bedrocktest.Tokens(system)
			var got []ticketsum.Usage
			for _, user := range []string{"The invoice is wrong.", "The app crashes on start."} {
				req := &ticketsum.ModelRequest{System: system, CacheSystem: true, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: user}}, MaxTokens: 100}
				resp, err := m.Generate(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Usage.InputTokens != bedrocktest.Tokens(user) {
					t.Errorf("input tokens = %d, want %d (cache tokens counted apart)", resp.Usage.InputTokens, bedrocktest.Tokens(user))
				}
				got = append(got, resp.Usage)
			}
			if got[0].CacheWriteTokens != sys || got[0].CacheReadTokens != 0 {
				t.Errorf("first call: %+v, want %d cache-write tokens", got[0], sys)
			}
			if got[1].CacheReadTokens != sys || got[1].CacheWriteTokens != 0 {
				t.Errorf("second call: %+v, want %d cache-read tokens", got[1], sys)
			}
		})
	}
}

func TestPromptCachingSkipsModelsWithoutIt(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
		m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-haiku-20240307-v1:0", API: api, PromptCaching: true})
		req := &ticketsum.ModelRequest{System: longSystem(), CacheSystem: true, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hi"}}}
		resp, err := m.Generate(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		last, _ := srv.LastRequest()
		if strings.Contains(string(last.Body), "cachePoint") || strings.Contains(string(last.Body), "cache_control") {
			t.Errorf("%s: cache point sent to a model without caching: %s", api, last.Body)
		}
		if resp.Usage.CacheWriteTokens != 0 || resp.Usage.InputTokens < bedrocktest.Tokens(req.System) {
			t.Errorf("%s: usage %+v", api, resp.Usage)
		}
	}
}

// TestCachePointNeedsConfigStaticPromptAndMinimum checks that a cache point
// is sent only with prompt caching configured, for a request that marks its
// system prompt static, when that prompt reaches the model's minimum.
func TestCachePointNeedsConfigStaticPromptAndMinimum(t *testing.T) {
	t.Parallel()
	short := strings.Repeat("Write one neutral paragraph. ", 20) // about 145 tokens
	tests := []struct {
		name    string
		caching bool
		static  bool
		system  string
		min     int
		want    bool
	}{
		{"configured, static, long enough", true, true, longSystem(), 0, true},
		{"prompt caching off", false, true, longSystem(), 0, false},
		{"system prompt not marked static", true, false, longSystem(), 0, false},
		{"under the default 1,024 minimum", true, true, short, 0, false},
		{"under the model's own minimum", true, true, longSystem(), 4096, false},
		{"over a lower minimum", true, true, short, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{CacheMinTokens: 100})
			m := MustModel(t, srv, bedrock.Config{ModelID: "amazon.nova-micro-v1:0", PromptCaching: tt.caching, CacheMinTokens: tt.min})
			req := &ticketsum.ModelRequest{System: tt.system, CacheSystem: tt.static, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hi"}}}
			resp, err := m.Generate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			last, _ := srv.LastRequest()
			if sent := strings.Contains(string(last.Body), "cachePoint"); sent != tt.want {
				t.Fatalf("cache point sent: %v, want %v", sent, tt.want)
			}
			if cached := resp.Usage.CacheWriteTokens > 0; cached != tt.want {
				t.Errorf("usage %+v", resp.Usage)
			}
		})
	}
}
