package sagemaker_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/sagemaker"
)

// Not parallel: it sets environment variables.
func TestStandardAWSChainRoutesToTheEndpointFromEnv(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Region: "us-west-2"})
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": srv.URL,
	} {
		t.Setenv(k, v)
	}
	m, err := sagemaker.New(context.Background(), sagemaker.Config{Endpoint: "ticket-llm"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Generate(context.Background(), request("The app is slow.")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().Ops[bedrocktest.OpInvokeEndpoint]; n != 1 {
		t.Errorf("%d calls reached the fake, want 1", n)
	}
}

// Not parallel: it sets environment variables.
func TestStandardAWSChainWithoutRegion(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret",
	} {
		t.Setenv(k, v)
	}
	_, err := sagemaker.New(context.Background(), sagemaker.Config{Endpoint: "ticket-llm"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || ticketsum.ClassOf(err) != ticketsum.ClassConfig ||
		!strings.Contains(err.Error(), "AWS_REGION") || !strings.Contains(err.Error(), "aws.region") {
		t.Fatalf("err = %v (class %s), want an invalid setting of the configuration class naming AWS_REGION and aws.region", err, ticketsum.ClassOf(err))
	}
}
