package bedrocktest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// BenchmarkServerConverse measures the fake alone: raw HTTP Converse calls
// with a pre-built Authorization header, no SDK. It is the floor under any
// benchmark that goes through the fake.
func BenchmarkServerConverse(b *testing.B) {
	srv := bedrocktest.MustNewServer(b, bedrocktest.Config{RecordRequests: -1})
	body := []byte(`{"messages":[{"role":"user","content":[{"text":"Customer: the export to CSV fails. Agent: fixed; resolved."}]}],"inferenceConfig":{"maxTokens":200}}`)
	url := srv.URL + "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
	auth := "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00"
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
