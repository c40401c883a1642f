package sagemaker

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime/types"
	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// translate turns an SDK error into a coded error whose message says what
// to do.
func (m *Model) translate(err error) error {
	ep, region := m.cfg.Endpoint, m.region
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker endpoint %s timed out: %w", ep, err)
	case errors.Is(err, context.Canceled):
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker call to %s was canceled: %w", ep, err)
	}
	// The provider's text only picks the case below; it is withheld from
	// the error (ticketsum.Withheldf), as a ModelError carries the model
	// container's own message, which can echo the ticket.
	ids := awsendpoint.ErrorIDs(err)
	var me *types.ModelError
	if errors.As(err, &me) {
		msg := strings.ToLower(me.ErrorMessage())
		status := 0
		if me.OriginalStatusCode != nil {
			status = int(*me.OriginalStatusCode)
		}
		switch {
		case status == 429 || strings.Contains(msg, "overloaded") || strings.Contains(msg, "too many requests"):
			return ticketsum.Withheldf(ticketsum.ETHROTTLED, err, "the model on endpoint %s is overloaded (429): retry after a pause, or scale the endpoint out%s", ep, ids)
		case strings.Contains(msg, "must be <=") || strings.Contains(msg, "too long") || strings.Contains(msg, "context length") || strings.Contains(msg, "maximum context"):
			return ticketsum.Withheldf(ticketsum.EINVALID, err, "ticket too long for endpoint %s's context window: shorten the thread or lower max tokens%s", ep, ids)
		case status >= 400 && status < 500:
			return configError(err, "the model on endpoint %s rejected the request (status %d): check models.<name>.payload (now %s)%s", ep, status, m.cfg.Payload, ids)
		}
		return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "the model on endpoint %s failed: retry later%s", ep, ids)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := strings.ToLower(ae.ErrorMessage())
		switch strings.ToLower(ae.ErrorCode()) {
		case "throttlingexception", "toomanyrequestsexception":
			return ticketsum.Withheldf(ticketsum.ETHROTTLED, err, "SageMaker throttled endpoint %s: retry after a pause, or scale the endpoint%s", ep, ids)
		case "validationerror", "validationexception":
			if strings.Contains(msg, "not found") {
				if m.cfg.InferenceComponent != "" && strings.Contains(msg, "inference component") {
					return ticketsum.Withheldf(ticketsum.ENOTFOUND, err, "SageMaker inference component %s not found on endpoint %s: check its name%s", m.cfg.InferenceComponent, ep, ids)
				}
				return ticketsum.Withheldf(ticketsum.ENOTFOUND, err, "SageMaker endpoint %s not found in %s: check the name and region (aws sagemaker list-endpoints)%s", ep, region, ids)
			}
			return configError(err, "SageMaker rejected the request to %s: check models.<name>.payload (now %s)%s", ep, m.cfg.Payload, ids)
		case "accessdeniedexception":
			return ticketsum.Withheldf(ticketsum.EFORBIDDEN, err, "access to SageMaker endpoint %s denied: check that IAM allows sagemaker:InvokeEndpoint on it%s", ep, ids)
		case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception", "incompletesignature",
			"missingauthenticationtokenexception", "invalidclienttokenid":
			return ticketsum.Withheldf(ticketsum.EUNAUTHORIZED, err, "AWS rejected the credentials: refresh them (`aws sso login`), check AWS_PROFILE and the region %s%s", region, ids)
		case "modelnotreadyexception", "serviceunavailable", "internalfailure", "internaldependencyexception", "internalstreamfailure":
			return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "SageMaker endpoint %s could not answer: retry later%s", ep, ids)
		}
		if ae.ErrorFault() == smithy.FaultServer {
			return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "SageMaker endpoint %s failed: retry later%s", ep, ids)
		}
		return configError(err, "SageMaker rejected the request to %s: check models.<name>.payload (now %s)%s", ep, m.cfg.Payload, ids)
	}
	if s := err.Error(); strings.Contains(s, "get identity") || strings.Contains(s, "failed to retrieve credentials") || strings.Contains(s, "failed to refresh cached credentials") {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no AWS credentials found: set AWS_PROFILE (and run `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role: %w", err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "cannot reach SageMaker runtime in %s: %s: %w", region, awsendpoint.Hint(m.endpoint, sdkID), err)
	}
	return ticketsum.Withheldf(ticketsum.EUNAVAILABLE, err, "SageMaker call to %s failed: retry later%s", ep, ids)
}

// configError is an EINVALID error of the configuration class: the request
// the settings produce is wrong, not the ticket. The cause, when there is
// one, is kept with its text withheld (see ticketsum.Withheldf).
func configError(cause error, format string, args ...any) error {
	return ticketsum.WithClass(ticketsum.Withheldf(ticketsum.EINVALID, cause, format, args...), ticketsum.ClassConfig)
}
