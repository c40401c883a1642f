package bedrock

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// translate turns an SDK error into a coded error whose message says what
// to do. Coded errors pass through.
func (m *Model) translate(err error) error {
	var coded *ticketsum.Error
	if errors.As(err, &coded) {
		return err
	}
	id := m.cfg.ModelID
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock call to %s timed out: %w", id, err)
	case errors.Is(err, context.Canceled):
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock call to %s was canceled: %w", id, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return m.translateAPI(ae, err)
	}
	if strings.Contains(err.Error(), "bearer token with HTTP request requires HTTPS") {
		return ticketsum.Errorf(ticketsum.EINVALID, "a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) needs an https endpoint: fix %s or use AWS credentials: %w", cmp.Or(m.endpoint, awsendpoint.ServiceVariable(sdkID)), err)
	}
	if CredentialsError(err) {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no AWS credentials found: set AWS_PROFILE (and run `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role: %w", err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "cannot reach Bedrock in %s: %s: %w", m.region, awsendpoint.Hint(m.endpoint, sdkID), err)
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock returned a malformed response for %s: retry: %w", id, err)
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock call to %s failed: %w", id, err)
}

// CredentialsError reports whether err comes from finding no usable AWS
// credentials, before any request was sent.
func CredentialsError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "get identity") || strings.Contains(s, "failed to retrieve credentials") ||
		strings.Contains(s, "failed to refresh cached credentials")
}

func (m *Model) translateAPI(ae smithy.APIError, err error) error {
	id, region := m.cfg.ModelID, m.region
	msg := strings.ToLower(ae.ErrorMessage())
	// Codes compare without case: exceptions inside streams arrive in
	// lowerCamelCase (throttlingException), and unmodeled ones keep it.
	switch strings.ToLower(ae.ErrorCode()) {
	case "throttlingexception", "toomanyrequestsexception":
		return ticketsum.Errorf(ticketsum.ETHROTTLED, "Bedrock throttled %s: the requests- or tokens-per-minute quota is reached; retry after a pause, or raise the quota in Service Quotas: %w", id, err)
	case "servicequotaexceededexception":
		return ticketsum.Errorf(ticketsum.EQUOTA, "Bedrock quota exceeded for %s in %s (such as tokens per day): wait for it to reset or request an increase in Service Quotas: %w", id, region, err)
	case "accessdeniedexception":
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "model access not granted: enable %s in the Bedrock console (Model access) in %s, or check that IAM allows bedrock:InvokeModel on it: %w", m.displayBase(), region, err)
	case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception", "expiredtoken",
		"incompletesignature", "missingauthenticationtokenexception", "invalidclienttokenid":
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "AWS rejected the credentials: refresh them (`aws sso login`), check AWS_PROFILE and the region %s: %w", region, err)
	case "resourcenotfoundexception":
		if m.cfg.Guardrail.ID != "" && strings.Contains(msg, "guardrail") {
			return configError("Bedrock guardrail %s version %s not found in %s: check aws.guardrail (its ID, version and region): %w", m.cfg.Guardrail.ID, m.cfg.Guardrail.Version, region, err)
		}
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s not found in %s: check the model ID, or use a cross-region inference profile such as %s or another region: %w", id, region, m.ref.ProfileSuggestion(region), err)
	case "validationexception":
		return m.translateValidation(msg, err)
	case "modelnotreadyexception", "serviceunavailableexception", "internalserverexception", "modeltimeoutexception",
		"modelerrorexception", "modelstreamerrorexception", "serviceunavailable", "internalfailure":
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock could not answer for %s (%s): retry later: %w", id, ae.ErrorCode(), err)
	}
	if ae.ErrorFault() == smithy.FaultServer {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock failed for %s (%s): retry later: %w", id, ae.ErrorCode(), err)
	}
	return configError("Bedrock rejected the request to %s (%s): check the model's settings: %w", id, ae.ErrorCode(), err)
}

// configError is an EINVALID error of the configuration class: the request
// the settings produce is wrong, not the ticket, so the ticket waits in a
// failed state for the settings to change rather than being given up on.
func configError(format string, args ...any) error {
	return ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID, format, args...), ticketsum.ClassConfig)
}

func (m *Model) translateValidation(msg string, err error) error {
	id, region := m.cfg.ModelID, m.region
	switch {
	case strings.Contains(msg, "on-demand throughput") || strings.Contains(msg, "inference profile"):
		return configError("model %s cannot be called on demand in %s: set the model to a cross-region inference profile such as bedrock:%s, or use another region: %w", id, region, m.ref.ProfileSuggestion(region), err)
	case strings.Contains(msg, "model identifier is invalid") || strings.Contains(msg, "model id") && strings.Contains(msg, "not supported"):
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s is not available in %s: check the model ID, or use a cross-region inference profile such as %s or another region: %w", id, region, m.ref.ProfileSuggestion(region), err)
	case strings.Contains(msg, "too long") || strings.Contains(msg, "too many tokens") || strings.Contains(msg, "context window") ||
		strings.Contains(msg, "context length") || strings.Contains(msg, "input length") || strings.Contains(msg, "maximum context"):
		return ticketsum.Errorf(ticketsum.EINVALID, "ticket too long for %s's context window: shorten the thread or use a model with a larger context: %w", m.displayBase(), err)
	case strings.Contains(msg, "guardrail"):
		return configError("Bedrock guardrail %s version %s was rejected: check aws.guardrail (its ID, version and region): %w", m.cfg.Guardrail.ID, m.cfg.Guardrail.Version, err)
	case strings.Contains(msg, "prompt caching"):
		return configError("%s does not support prompt caching here: set aws.prompt_caching to false: %w", id, err)
	case strings.Contains(msg, "toolconfig") || strings.Contains(msg, "tool use"):
		return configError("%s refused the structured-output tool: set its family (%q now) or call it with the invoke API: %w", id, m.ref.Family, err)
	}
	return configError("Bedrock rejected the request to %s: check the model's settings: %w", id, err)
}

func (m *Model) displayBase() string {
	if m.ref.Base != "" {
		return m.ref.Base
	}
	return m.cfg.ModelID
}

// streamError codes an error that broke a stream after it started: a
// modeled exception or a cancelled context is translated as usual, anything
// else is a broken or malformed stream, worth a retry.
func (m *Model) streamError(ctx context.Context, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "Bedrock returned a malformed response for %s (the stream broke): retry: %w", m.cfg.ModelID, err)
}
