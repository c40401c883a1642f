package bedrock_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// isolateAWSEnv clears the AWS environment a developer's machine may have,
// pointing the shared config files into an empty temp dir.
func isolateAWSEnv(t *testing.T) string {
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ROLE_ARN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return dir
}

// Not parallel: it sets environment variables.
func TestStandardAWSChainRoutesToTheEndpointFromEnv(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Region: "eu-west-1", APIKey: "bedrock-api-key-1", TLS: true})
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, bundle, string(srv.CertificatePEM()))
	cases := []struct {
		name    string
		env     map[string]string
		akid    string
		profile string
	}{
		{"service endpoint", map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL, "AWS_REGION": "eu-west-1",
			"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret"}, "AKIDENV", ""},
		{"global endpoint", map[string]string{"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "eu-west-1",
			"AWS_ACCESS_KEY_ID": "AKIDGLOBAL", "AWS_SECRET_ACCESS_KEY": "secret"}, "AKIDGLOBAL", ""},
		{"profile", map[string]string{"AWS_PROFILE": "ticketsum", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL}, "AKIDPROFILE", ""},
		{"profile in Config", map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL}, "AKIDPROFILE", "ticketsum"},
		{"bedrock API key", map[string]string{"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-1", "AWS_REGION": "eu-west-1",
			"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": srv.URL}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolateAWSEnv(t)
			writeFile(t, filepath.Join(dir, "config"), "[profile ticketsum]\nregion = eu-west-1\n")
			writeFile(t, filepath.Join(dir, "credentials"), "[ticketsum]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n")
			t.Setenv("AWS_CA_BUNDLE", bundle)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "eu.amazon.nova-lite-v1:0", Profile: tc.profile})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Generate(context.Background(), request("I cannot reset my password.")); err != nil {
				t.Fatal(err)
			}
			req, _ := srv.LastRequest()
			if tc.akid == "" {
				if auth := req.Header.Get("Authorization"); auth != "Bearer bedrock-api-key-1" {
					t.Errorf("Authorization = %q, want the API key", auth)
				}
				return
			}
			if auth := req.Header.Get("Authorization"); !strings.Contains(auth, "Credential="+tc.akid+"/") || !strings.Contains(auth, "/eu-west-1/bedrock/aws4_request") {
				t.Errorf("Authorization = %q", auth)
			}
		})
	}
}

// Not parallel: it sets environment variables.
func TestStandardAWSChainWithoutCredentials(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	isolateAWSEnv(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", srv.URL)
	m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-lite-v1:0"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Generate(context.Background(), request("hello"))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED || !strings.HasPrefix(ticketsum.ErrorMessage(err), "no AWS credentials found") {
		t.Fatalf("err = %v", err)
	}
	if n := srv.Stats().Ops[bedrocktest.OpConverse]; n != 0 {
		t.Errorf("%d unsigned calls reached the server", n)
	}
}

// Not parallel: it sets environment variables.
func TestStandardAWSChainWithoutRegion(t *testing.T) {
	isolateAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	_, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-lite-v1:0"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || ticketsum.ClassOf(err) != ticketsum.ClassConfig ||
		!strings.Contains(err.Error(), "AWS_REGION") || !strings.Contains(err.Error(), "aws.region") {
		t.Fatalf("err = %v (class %s), want an invalid setting of the configuration class naming AWS_REGION and aws.region", err, ticketsum.ClassOf(err))
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUnreachableEndpointNamesTheSettingInEffect: when the endpoint
// cannot be reached, the message names the setting that gave it (the
// service's variable wins over AWS_ENDPOINT_URL, as in the SDK), not a
// variable the user did not set.
// Not parallel: it sets environment variables.
func TestUnreachableEndpointNamesTheSettingInEffect(t *testing.T) {
	down := unreachableURL(t)
	cases := []struct {
		name          string
		env           map[string]string
		profile       string
		want, wantNot string
	}{
		{"global", map[string]string{"AWS_ENDPOINT_URL": down}, "", "the endpoint set by AWS_ENDPOINT_URL:", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"},
		{"service", map[string]string{"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": down}, "", "the endpoint set by AWS_ENDPOINT_URL_BEDROCK_RUNTIME:", "by AWS_ENDPOINT_URL:"},
		{"both", map[string]string{"AWS_ENDPOINT_URL": "http://other.invalid", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": down}, "",
			"the endpoint set by AWS_ENDPOINT_URL_BEDROCK_RUNTIME:", "by AWS_ENDPOINT_URL:"},
		{"profile", nil, "endpoint_url = " + down + "\n", "the endpoint set by the endpoint_url of AWS profile ticketsum:", "AWS_ENDPOINT_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolateAWSEnv(t)
			writeFile(t, filepath.Join(dir, "config"), "[profile ticketsum]\nregion = us-east-1\n"+tc.profile)
			t.Setenv("AWS_PROFILE", "ticketsum")
			t.Setenv("AWS_ACCESS_KEY_ID", bedrocktest.TestAccessKeyID)
			t.Setenv("AWS_SECRET_ACCESS_KEY", bedrocktest.TestSecretAccessKey)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-lite-v1:0"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Generate(context.Background(), request("hello"))
			msg := ticketsum.ErrorMessage(err)
			if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.wantNot) {
				t.Fatalf("err = %q; want it to name %q, not %q", msg, tc.want, tc.wantNot)
			}
		})
	}
}

// unreachableURL returns the URL of a loopback port nothing listens on.
func unreachableURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
}
