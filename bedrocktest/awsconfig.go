package bedrocktest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Static credentials AWSConfig signs with.
const (
	TestAccessKeyID     = "AKIDBEDROCKTEST"
	TestSecretAccessKey = "bedrocktest-secret"
)

// AWSConfig returns an aws.Config that sends every service's calls to the
// server: the server's region, static test credentials, BaseEndpoint set to
// URL and the server's HTTP client. The SDK's default retryer is left in
// place; providers that own retries replace it.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       s.cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(TestAccessKeyID, TestSecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.Client(),
	}
}
