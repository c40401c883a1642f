package main

import (
	"log"
	"net/http"
	"strings"
)

// answer is a fixed OpenAI chat completion with usage.
const answer = `{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"The customer's export failed on a permissions error; the agent fixed the role and the export works, so the ticket is resolved."},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":27,"total_tokens":69}}`

// runUpstream answers every chat completion at once.
func runUpstream(addr string) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(answer))
	})
	log.Fatal(http.ListenAndServe(addr, h))
}
