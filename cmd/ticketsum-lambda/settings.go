package main

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/internal/app"
)

// settings are what the function reads from its environment. The template
// in deploy/ sets them; none of them is a secret (with IAM authentication to
// RDS there is no database password at all).
type settings struct {
	// DB is the Postgres URL (TICKETSUM_DB), without a password when
	// IAMAuth is on. Required.
	DB string
	// Schema holds ticketsum's tables (TICKETSUM_DB_SCHEMA). Default
	// "ticketsum".
	Schema string
	// IAMAuth authenticates to RDS with IAM tokens (TICKETSUM_DB_IAM_AUTH
	// "true"). Default false.
	IAMAuth bool
	// MaxConns caps the pool of one container (TICKETSUM_DB_MAX_CONNS).
	// Default: Concurrency + 1, one connection per ticket in flight and one
	// for the audit trail.
	MaxConns int32
	// Model is the model name (TICKETSUM_MODEL). Default "builtin".
	Model string
	// ModelConfig holds the model's settings: TICKETSUM_MODEL_API,
	// TICKETSUM_MODEL_STREAM, TICKETSUM_MODEL_RPM, TICKETSUM_MODEL_TPM,
	// TICKETSUM_MODEL_MAX_TOKENS and TICKETSUM_FALLBACK_MODELS (comma
	// separated, tried in order).
	ModelConfig app.ModelConfig
	// Guardrail is the Bedrock Guardrail (TICKETSUM_GUARDRAIL_ID, an id or
	// ARN, and TICKETSUM_GUARDRAIL_VERSION). Default none.
	Guardrail bedrock.GuardrailConfig
	// PromptVersion is the prompt template version
	// (TICKETSUM_PROMPT_VERSION). Default: the embedded default.
	PromptVersion string
	// MaxAttempts is the gateway's attempts per model
	// (TICKETSUM_MAX_ATTEMPTS). Default 2: a throttled message goes back to
	// SQS, whose visibility timeout is a cheaper wait than a Lambda's.
	MaxAttempts int
	// MaxElapsed bounds a call's retries (TICKETSUM_MAX_ELAPSED, a Go
	// duration). Default 20s.
	MaxElapsed time.Duration
	// CallTimeout bounds one model attempt (TICKETSUM_CALL_TIMEOUT, a Go
	// duration). Default 15s; at most MaxElapsed.
	CallTimeout time.Duration
	// Concurrency is the number of tickets of a batch summarised at once
	// (TICKETSUM_BATCH_CONCURRENCY). Default 4; the model's RPM and TPM
	// limits still pace the calls.
	Concurrency int
	// MaxReceiveCount is the source queue's maxReceiveCount
	// (TICKETSUM_MAX_RECEIVE_COUNT; the template sets it from the same
	// parameter as the redrive policy). A retryable failure on that
	// receive records the ticket's failed state. Default 5.
	MaxReceiveCount int
	// LogLevel is debug, info, warn or error (TICKETSUM_LOG_LEVEL).
	// Default info.
	LogLevel string
	// AuditBucket receives the encrypted invocation log
	// (TICKETSUM_AUDIT_BUCKET). Default none: no invocation log.
	AuditBucket string
	// AuditPrefix starts every log object's key (TICKETSUM_AUDIT_PREFIX).
	// Default "invocations/", the prefix the template's role may write.
	AuditPrefix string
	// AuditKMSKey is the KMS key id or ARN that wraps each log object's
	// data key (TICKETSUM_AUDIT_KMS_KEY). Required with AuditBucket.
	AuditKMSKey string
	// FunctionName names the function in its CloudWatch metrics
	// (AWS_LAMBDA_FUNCTION_NAME, which Lambda sets). Default "ticketsum".
	FunctionName string
	// MonthlyBudgetUSD is the monthly budget of the function's principal
	// "ticketsum-lambda" (TICKETSUM_MONTHLY_BUDGET_USD; 0 lets it spend
	// nothing). Default 100. Like PrincipalModels and PrincipalRPM it is
	// applied to the stored principal at every cold start.
	MonthlyBudgetUSD float64
	// PrincipalModels is the principal's allow-list
	// (TICKETSUM_PRINCIPAL_MODELS, comma separated model names or globs;
	// "*" allows every approved model). Default: Model and its fallbacks,
	// builtin aside (it makes no governed call).
	PrincipalModels []string
	// PrincipalRPM limits the principal's requests per minute across every
	// container (TICKETSUM_PRINCIPAL_RPM). Default 0: no limit beyond the
	// model's TICKETSUM_MODEL_RPM.
	PrincipalRPM int
	// ReviewShare is the share of new summaries sampled into the review
	// queue (TICKETSUM_REVIEW_SHARE, from 0 to 1; 0 or negative: none),
	// the variable that sets server.review_share for the worker too.
	// Default 0.05.
	ReviewShare float64
	// MaxTicketBytes is the longest text the guard checks
	// (TICKETSUM_MAX_TICKET_BYTES, the variable that sets max_ticket_bytes
	// for the worker too); a ticket longer than it is failed, naming the
	// variable. Default 1 MiB.
	MaxTicketBytes int
}

// loadSettings reads the settings from getenv and validates them.
func loadSettings(getenv func(string) string) (settings, error) {
	s := settings{
		DB: getenv("TICKETSUM_DB"), Schema: getenv("TICKETSUM_DB_SCHEMA"), Model: getenv("TICKETSUM_MODEL"),
		PromptVersion: getenv("TICKETSUM_PROMPT_VERSION"), LogLevel: getenv("TICKETSUM_LOG_LEVEL"),
		Guardrail:   bedrock.GuardrailConfig{ID: getenv("TICKETSUM_GUARDRAIL_ID"), Version: getenv("TICKETSUM_GUARDRAIL_VERSION")},
		ModelConfig: app.ModelConfig{API: getenv("TICKETSUM_MODEL_API")},
		AuditBucket: getenv("TICKETSUM_AUDIT_BUCKET"), AuditPrefix: getenv("TICKETSUM_AUDIT_PREFIX"),
		AuditKMSKey: getenv("TICKETSUM_AUDIT_KMS_KEY"), FunctionName: getenv("AWS_LAMBDA_FUNCTION_NAME"),
	}
	var err error
	num := func(name string, def int) int {
		v := getenv(name)
		if v == "" || err != nil {
			return def
		}
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			err = ticketsum.Errorf(ticketsum.EINVALID, "environment %s=%q: want a whole number of at least 0", name, v)
		}
		return n
	}
	flag := func(name string) bool {
		v := getenv(name)
		if v == "" || err != nil {
			return false
		}
		b, e := strconv.ParseBool(v)
		if e != nil {
			err = ticketsum.Errorf(ticketsum.EINVALID, "environment %s=%q: want true or false", name, v)
		}
		return b
	}
	s.IAMAuth = flag("TICKETSUM_DB_IAM_AUTH")
	s.MaxConns = int32(num("TICKETSUM_DB_MAX_CONNS", 0))
	s.ModelConfig.Stream = flag("TICKETSUM_MODEL_STREAM")
	s.ModelConfig.RPM = num("TICKETSUM_MODEL_RPM", 0)
	s.ModelConfig.TPM = num("TICKETSUM_MODEL_TPM", 0)
	s.ModelConfig.MaxTokens = num("TICKETSUM_MODEL_MAX_TOKENS", 0)
	s.MaxAttempts = num("TICKETSUM_MAX_ATTEMPTS", 2)
	s.Concurrency = num("TICKETSUM_BATCH_CONCURRENCY", 4)
	s.MaxReceiveCount = num("TICKETSUM_MAX_RECEIVE_COUNT", 5)
	s.PrincipalRPM = num("TICKETSUM_PRINCIPAL_RPM", 0)
	s.MaxTicketBytes = num("TICKETSUM_MAX_TICKET_BYTES", 1<<20)
	s.MonthlyBudgetUSD = 100
	if v := getenv("TICKETSUM_MONTHLY_BUDGET_USD"); v != "" && err == nil {
		f, e := strconv.ParseFloat(v, 64)
		if e != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return s, ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_MONTHLY_BUDGET_USD=%q: want a number of dollars of at least 0", v)
		}
		s.MonthlyBudgetUSD = f
	}
	if err != nil {
		return s, err
	}
	s.ReviewShare = 0.05
	if v := getenv("TICKETSUM_REVIEW_SHARE"); v != "" {
		f, e := strconv.ParseFloat(v, 64)
		if e != nil || f > 1 || math.IsNaN(f) {
			return s, ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_REVIEW_SHARE=%q: want a share between 0 and 1 (0 or negative: no sampling)", v)
		}
		s.ReviewShare = f
	}
	if s.MaxElapsed, err = duration(getenv, "TICKETSUM_MAX_ELAPSED", 20*time.Second); err != nil {
		return s, err
	}
	if s.CallTimeout, err = duration(getenv, "TICKETSUM_CALL_TIMEOUT", min(15*time.Second, s.MaxElapsed)); err != nil {
		return s, err
	}
	s.ModelConfig.Fallback = list(getenv("TICKETSUM_FALLBACK_MODELS"))
	s.PrincipalModels = list(getenv("TICKETSUM_PRINCIPAL_MODELS"))
	return s, s.validate()
}

// list splits a comma-separated list, dropping blanks.
func list(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (s *settings) validate() error {
	if s.Schema == "" {
		s.Schema = "ticketsum"
	}
	if s.Model == "" {
		s.Model = app.Builtin
	}
	if s.LogLevel == "" {
		s.LogLevel = "info"
	}
	if s.AuditPrefix == "" {
		s.AuditPrefix = "invocations/"
	}
	if s.DB == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_DB is not set: want the Postgres URL, e.g. postgres://ticketsum@db.example.internal:5432/support?sslmode=verify-full")
	}
	u, err := url.Parse(s.DB)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		// The URL may hold a password: never echo it.
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_DB is not a postgres:// URL with a host")
	}
	if s.IAMAuth {
		if _, has := u.User.Password(); has {
			return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_DB holds a password while TICKETSUM_DB_IAM_AUTH is on: remove it, the IAM token is the password")
		}
		if u.User.Username() == "" {
			return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_DB names no user: IAM authentication needs the database user that has the rds_iam role")
		}
		switch u.Query().Get("sslmode") {
		case "require", "verify-ca", "verify-full":
		default:
			return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_DB: IAM authentication needs TLS: add sslmode=verify-full (or require)")
		}
	}
	if s.AuditBucket != "" && s.AuditKMSKey == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_AUDIT_KMS_KEY is not set: the invocation log in TICKETSUM_AUDIT_BUCKET is encrypted with a KMS key")
	}
	if s.MaxConns == 0 {
		s.MaxConns = int32(min(s.Concurrency, 100)) + 1
	}
	if s.MaxAttempts < 1 {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_MAX_ATTEMPTS must be at least 1")
	}
	if s.Concurrency < 1 || s.Concurrency > 100 {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_BATCH_CONCURRENCY must be between 1 and 100")
	}
	if s.MaxReceiveCount < 1 {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_MAX_RECEIVE_COUNT must be at least 1, the queue's maxReceiveCount")
	}
	if s.CallTimeout > s.MaxElapsed {
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_CALL_TIMEOUT (%s) is longer than TICKETSUM_MAX_ELAPSED (%s): one attempt could never finish within the call's time", s.CallTimeout, s.MaxElapsed)
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_LOG_LEVEL=%q: want debug, info, warn or error", s.LogLevel)
	}
	switch s.ModelConfig.API {
	case "", bedrock.APIConverse, bedrock.APIInvoke:
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "environment TICKETSUM_MODEL_API=%q: want converse or invoke", s.ModelConfig.API)
	}
	if s.Model != app.Builtin && !strings.Contains(s.Model, ":") {
		return app.UnknownModel(s.Model)
	}
	if s.PrincipalModels == nil {
		for _, m := range append([]string{s.Model}, s.ModelConfig.Fallback...) {
			if m != app.Builtin && !slices.Contains(s.PrincipalModels, m) {
				s.PrincipalModels = append(s.PrincipalModels, m)
			}
		}
	}
	return nil
}

// duration reads a positive Go duration from the environment variable
// name, def when it is unset.
func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "environment %s=%q: want a positive duration such as 20s", name, v)
	}
	return d, nil
}

// ticketTimeout is the longest one ticket may take in a batch: every
// attempt and backoff (MaxElapsed) plus one more attempt that may start at
// its end, and time to load and save.
func (s settings) ticketTimeout() time.Duration {
	return s.MaxElapsed + s.CallTimeout + 5*time.Second
}
