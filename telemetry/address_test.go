package telemetry_test

import (
	"testing"

	"github.com/ticketsum/ticketsum/telemetry"
)

func TestServerAddress(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name, model, region, openAI string
		env                         map[string]string
		want                        string
	}{
		{"bedrock in the region variable", "bedrock:amazon.nova-lite-v1:0", "", "", map[string]string{"AWS_REGION": "eu-west-1"}, "bedrock-runtime.eu-west-1.amazonaws.com"},
		{"configured region wins", "bedrock:amazon.nova-lite-v1:0", "us-east-1", "", map[string]string{"AWS_REGION": "eu-west-1"}, "bedrock-runtime.us-east-1.amazonaws.com"},
		{"default region", "sagemaker:my-endpoint", "", "", map[string]string{"AWS_DEFAULT_REGION": "ap-south-1"}, "runtime.sagemaker.ap-south-1.amazonaws.com"},
		{"service endpoint", "bedrock:x.y", "us-east-1", "", map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL": "http://other"}, "127.0.0.1"},
		{"global endpoint", "sagemaker:e", "", "", map[string]string{"AWS_ENDPOINT_URL": "https://vpce-1.example.internal"}, "vpce-1.example.internal"},
		{"openai base URL", "openai:llama3", "", "http://gpu-box:8000/v1", nil, "gpu-box"},
		{"no region", "bedrock:x.y", "", "", nil, ""},
		{"builtin", "builtin", "us-east-1", "", nil, ""},
	}
	for _, tt := range tests {
		if got := telemetry.ServerAddress(env(tt.env), tt.region, tt.openAI)(tt.model); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := telemetry.ServerAddress(nil, "", "")("bedrock:x.y"); got != "" {
		t.Errorf("nil getenv: %q", got)
	}
}
