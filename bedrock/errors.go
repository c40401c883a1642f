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
// to do. Coded errors pass through. The text of an error Bedrock answered
// with is withheld (ticketsum.Withheldf): only its code and request id are
// named, as the text can quote the request.
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
		return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "Bedrock returned a malformed response for %s: retry", id)
	}
	return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "Bedrock call to %s failed: retry later%s", id, awsendpoint.ErrorIDs(err))
}

// CredentialsError reports whether err comes from finding no usable AWS
// credentials, before any request was sent.
func CredentialsError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "get identity") || strings.Contains(s, "failed to retrieve credentials") ||
		strings.Contains(s, "failed to refresh cached credentials")
}

func (m *Model) translateAPI(ae smithy.APIError, err error) error {
	id, region, ids := m.cfg.ModelID, m.region, awsendpoint.ErrorIDs(err)
	// msg only picks the case; the text itself is withheld from the error,
	// as it can echo the request (see ticketsum.Withheldf).
	msg := strings.ToLower(ae.ErrorMessage())
	// Codes compare without case: exceptions inside streams arrive in
	// lowerCamelCase (throttlingException), and unmodeled ones keep it.
	switch strings.ToLower(ae.ErrorCode()) {
	case "throttlingexception", "toomanyrequestsexception":
		return ticketsum.Withheldf(ticketsum.ETHROTTLED, err, "Bedrock throttled %s: the requests- or tokens-per-minute quota is reached; retry after a pause, or raise the quota in Service Quotas%s", id, ids)
	case "servicequotaexceededexception":
		return ticketsum.Withheldf(ticketsum.EQUOTA, err, "Bedrock quota exceeded for %s in %s (such as tokens per day): wait for it to reset or request an increase in Service Quotas%s", id, region, ids)
	case "accessdeniedexception":
		return ticketsum.Withheldf(ticketsum.EFORBIDDEN, err, "model access not granted: enable %s in the Bedrock console (Model access) in %s, or check that IAM allows bedrock:InvokeModel on it%s", m.displayBase(), region, ids)
	case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception", "expiredtoken",
		"incompletesignature", "missingauthenticationtokenexception", "invalidclienttokenid":
		return ticketsum.Withheldf(ticketsum.EUNAUTHORIZED, err, "AWS rejected the credentials: refresh them (`aws sso login`), check AWS_PROFILE and the region %s%s", region, ids)
	case "resourcenotfoundexception":
		if m.cfg.Guardrail.ID != "" && strings.Contains(msg, "guardrail") {
			return configError(err, "Bedrock guardrail %s version %s not found in %s: check aws.guardrail (its ID, version and region)%s", m.cfg.Guardrail.ID, m.cfg.Guardrail.Version, region, ids)
		}
		return ticketsum.Withheldf(ticketsum.ENOTFOUND, err, "model %s not found in %s: check the model ID, or use a cross-region inference profile such as %s or another region%s", id, region, m.ref.ProfileSuggestion(region), ids)
	case "validationexception":
		return m.translateValidation(msg, err)
	case "modelnotreadyexception", "serviceunavailableexception", "internalserverexception", "modeltimeoutexception",
		"modelerrorexception", "modelstreamerrorexception", "serviceunavailable", "internalfailure":
		return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "Bedrock could not answer for %s: retry later%s", id, ids)
	}
	if ae.ErrorFault() == smithy.FaultServer {
		return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "Bedrock failed for %s: retry later%s", id, ids)
	}
	return m.rejected(err)
}

// configError is an EINVALID error of the configuration class: the request
// the settings produce is wrong, not the ticket, so the ticket waits in a
// failed state for the settings to change rather than being given up on.
// The cause, when there is one, is kept with its text withheld (see
// ticketsum.Withheldf).
func configError(cause error, format string, args ...any) error {
	return ticketsum.WithClass(ticketsum.Withheldf(ticketsum.EINVALID, cause, format, args...), ticketsum.ClassConfig)
}

func (m *Model) translateValidation(msg string, err error) error {
	id, region, ids := m.cfg.ModelID, m.region, awsendpoint.ErrorIDs(err)
	switch {
	case strings.Contains(msg, "on-demand throughput") || strings.Contains(msg, "inference profile"):
		return configError(err, "model %s cannot be called on demand in %s: set the model to a cross-region inference profile such as bedrock:%s, or use another region%s", id, region, m.ref.ProfileSuggestion(region), ids)
	case strings.Contains(msg, "model identifier is invalid") || strings.Contains(msg, "model id") && strings.Contains(msg, "not supported"):
		return ticketsum.Withheldf(ticketsum.ENOTFOUND, err, "model %s is not available in %s: check the model ID, or use a cross-region inference profile such as %s or another region%s", id, region, m.ref.ProfileSuggestion(region), ids)
	case strings.Contains(msg, "too long") || strings.Contains(msg, "too many tokens") || strings.Contains(msg, "context window") ||
		strings.Contains(msg, "context length") || strings.Contains(msg, "input length") || strings.Contains(msg, "maximum context"):
		return ticketsum.Withheldf(ticketsum.EINVALID, err, "ticket too long for %s's context window: shorten the thread or use a model with a larger context%s", m.displayBase(), ids)
	case strings.Contains(msg, "maximum tokens") || strings.Contains(msg, "max_tokens") || strings.Contains(msg, "maxtokens"):
		return configError(err, "Bedrock refused the output cap asked of %s: set models.<name>.max_tokens in the config (or the request's max_tokens) within the model's output limit (max_output in the catalogue), then `ticketsum failures retry --all --class config`%s", id, ids)
	case strings.Contains(msg, "guardrail"):
		return configError(err, "Bedrock guardrail %s version %s was rejected: check aws.guardrail (its ID, version and region)%s", m.cfg.Guardrail.ID, m.cfg.Guardrail.Version, ids)
	case strings.Contains(msg, "prompt caching"):
		return configError(err, "%s does not support prompt caching here: set aws.prompt_caching to false%s", id, ids)
	case strings.Contains(msg, "toolconfig") || strings.Contains(msg, "tool use"):
		return configError(err, "%s refused the structured-output tool: set its family (%q now) or call it with the invoke API%s", id, m.ref.Family, ids)
	}
	return m.rejected(err)
}

// rejected is the error for a request Bedrock refused without saying why
// in a way translateValidation knows: it names the settings that usually
// cause it (the model ID, its output cap, an inference profile) and the
// command to run once they are fixed.
func (m *Model) rejected(err error) error {
	return configError(err, "Bedrock rejected the request to %s: check the model's settings: the model ID (model, or --model; `ticketsum models list` lists the catalogue's), models.<name>.max_tokens (within the model's output limit, max_output in the catalogue), and whether it must be called through a cross-region inference profile such as bedrock:%s; then `ticketsum failures retry --all --class config`%s",
		m.cfg.ModelID, m.ref.ProfileSuggestion(m.region), awsendpoint.ErrorIDs(err))
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
	return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "Bedrock returned a malformed response for %s (the stream broke): retry", m.cfg.ModelID)
}
