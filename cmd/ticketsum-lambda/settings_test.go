package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ticketsum/ticketsum"
)

func TestLoadSettings(t *testing.T) {
	t.Parallel()
	s, err := loadSettings(envMap(map[string]string{
		"TICKETSUM_DB":              "postgres://ticketsum@db.internal:5432/support?sslmode=verify-full",
		"TICKETSUM_DB_IAM_AUTH":     "true",
		"TICKETSUM_MODEL":           "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0",
		"TICKETSUM_FALLBACK_MODELS": " bedrock:amazon.nova-lite-v1:0, ,builtin-x:y ",
		"TICKETSUM_MODEL_RPM":       "200",
		"TICKETSUM_MODEL_TPM":       "400000",
		"TICKETSUM_MAX_ELAPSED":     "45s",
		"TICKETSUM_GUARDRAIL_ID":    "gr-123",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Schema != "ticketsum" || !s.IAMAuth || s.MaxConns != 5 || s.MaxAttempts != 2 || s.MaxElapsed != 45*time.Second ||
		s.CallTimeout != 15*time.Second || s.Concurrency != 4 || s.MaxReceiveCount != 5 || s.ticketTimeout() != 65*time.Second ||
		s.ModelConfig.RPM != 200 || s.ModelConfig.TPM != 400000 || s.Guardrail.ID != "gr-123" || s.LogLevel != "info" ||
		!slices.Equal(s.ModelConfig.Fallback, []string{"bedrock:amazon.nova-lite-v1:0", "builtin-x:y"}) ||
		!slices.Equal(s.PrincipalModels, []string{"bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0", "builtin-x:y"}) ||
		s.MonthlyBudgetUSD != 100 || s.PrincipalRPM != 0 || s.ReviewShare != 0.05 {
		t.Fatalf("settings = %+v", s)
	}
	d, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": "postgres://u:p@h/db"}))
	if err != nil || d.Model != "builtin" || d.MaxElapsed != 20*time.Second || len(d.PrincipalModels) != 0 {
		t.Fatalf("defaults: %+v, %v", d, err)
	}
	p, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL": "bedrock:amazon.nova-lite-v1:0",
		"TICKETSUM_PRINCIPAL_MODELS": "bedrock:amazon.*, bedrock:anthropic.claude-*", "TICKETSUM_PRINCIPAL_RPM": "30", "TICKETSUM_MONTHLY_BUDGET_USD": "0"}))
	if err != nil || !slices.Equal(p.PrincipalModels, []string{"bedrock:amazon.*", "bedrock:anthropic.claude-*"}) || p.PrincipalRPM != 30 || p.MonthlyBudgetUSD != 0 {
		t.Fatalf("principal settings: %+v, %v", p, err)
	}
	c, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_CALL_TIMEOUT": "7s",
		"TICKETSUM_BATCH_CONCURRENCY": "10", "TICKETSUM_MAX_RECEIVE_COUNT": "3", "TICKETSUM_DB_MAX_CONNS": "4"}))
	if err != nil || c.CallTimeout != 7*time.Second || c.Concurrency != 10 || c.MaxReceiveCount != 3 || c.MaxConns != 4 {
		t.Fatalf("batch settings: %+v, %v", c, err)
	}
}

func TestLoadSettingsRejects(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pw"
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no db", map[string]string{}, "TICKETSUM_DB is not set"},
		{"not postgres", map[string]string{"TICKETSUM_DB": "mysql://u:" + secret + "@h/db"}, "not a postgres:// URL"},
		{"iam with password", map[string]string{"TICKETSUM_DB": "postgres://u:" + secret + "@h/db?sslmode=require", "TICKETSUM_DB_IAM_AUTH": "1"}, "holds a password"},
		{"iam without tls", map[string]string{"TICKETSUM_DB": "postgres://u@h/db", "TICKETSUM_DB_IAM_AUTH": "true"}, "needs TLS"},
		{"iam without user", map[string]string{"TICKETSUM_DB": "postgres://h/db?sslmode=require", "TICKETSUM_DB_IAM_AUTH": "true"}, "names no user"},
		{"bad flag", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_DB_IAM_AUTH": "yes please"}, "TICKETSUM_DB_IAM_AUTH"},
		{"bad number", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL_RPM": "lots"}, "TICKETSUM_MODEL_RPM"},
		{"negative number", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL_TPM": "-1"}, "TICKETSUM_MODEL_TPM"},
		{"zero attempts", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MAX_ATTEMPTS": "0"}, "TICKETSUM_MAX_ATTEMPTS"},
		{"bad duration", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MAX_ELAPSED": "soon"}, "TICKETSUM_MAX_ELAPSED"},
		{"bad call timeout", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_CALL_TIMEOUT": "-1s"}, "TICKETSUM_CALL_TIMEOUT"},
		{"call timeout past elapsed", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_CALL_TIMEOUT": "30s"}, "longer than TICKETSUM_MAX_ELAPSED"},
		{"zero concurrency", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_BATCH_CONCURRENCY": "0"}, "TICKETSUM_BATCH_CONCURRENCY"},
		{"zero receive count", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MAX_RECEIVE_COUNT": "0"}, "TICKETSUM_MAX_RECEIVE_COUNT"},
		{"number after a bad number", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL_RPM": "x", "TICKETSUM_MAX_ELAPSED": "10s"}, "TICKETSUM_MODEL_RPM"},
		{"bad level", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_LOG_LEVEL": "loud"}, "TICKETSUM_LOG_LEVEL"},
		{"bad api", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL_API": "chat"}, "TICKETSUM_MODEL_API"},
		{"bad model", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MODEL": "claude"}, "unknown model"},
		{"bad principal rpm", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_PRINCIPAL_RPM": "-5"}, "TICKETSUM_PRINCIPAL_RPM"},
		{"bad review share", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_REVIEW_SHARE": "5%"}, "TICKETSUM_REVIEW_SHARE"},
		{"review share above 1", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_REVIEW_SHARE": "1.5"}, "TICKETSUM_REVIEW_SHARE"},
		{"bad budget", map[string]string{"TICKETSUM_DB": "postgres://h/db", "TICKETSUM_MONTHLY_BUDGET_USD": "lots"}, "TICKETSUM_MONTHLY_BUDGET_USD"},
	}
	for _, tt := range tests {
		_, err := loadSettings(envMap(tt.env))
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want an invalid error containing %q", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the password: %v", tt.name, err)
		}
	}
}

// The IAM password callback signs a token for the URL's host, port and user
// with the function role's credentials; no network is involved.
func TestIAMPassword(t *testing.T) {
	t.Parallel()
	load := func(context.Context) (aws.Config, error) {
		return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}, nil
	}
	tok, err := iamPassword("postgres://ticketsum_app@db.abc.eu-west-1.rds.amazonaws.com/support?sslmode=verify-full", load)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"db.abc.eu-west-1.rds.amazonaws.com:5432?", "Action=connect", "DBUser=ticketsum_app",
		"X-Amz-Credential=AKIDTEST%2F", "%2Feu-west-1%2Frds-db%2Faws4_request", "X-Amz-Signature="} {
		if !strings.Contains(tok, want) {
			t.Errorf("token %q lacks %q", tok, want)
		}
	}
	failing := func(context.Context) (aws.Config, error) { return aws.Config{}, context.DeadlineExceeded }
	if _, err := iamPassword("postgres://u@h/db", failing)(t.Context()); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("failing AWS config: %v, want unavailable", err)
	}
}
