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
	var me *types.ModelError
	if errors.As(err, &me) {
		msg := strings.ToLower(me.ErrorMessage())
		status := 0
		if me.OriginalStatusCode != nil {
			status = int(*me.OriginalStatusCode)
		}
		switch {
		case status == 429 || strings.Contains(msg, "overloaded") || strings.Contains(msg, "too many requests"):
			return ticketsum.Errorf(ticketsum.ETHROTTLED, "the model on endpoint %s is overloaded (429): retry after a pause, or scale the endpoint out: %w", ep, err)
		case strings.Contains(msg, "must be <=") || strings.Contains(msg, "too long") || strings.Contains(msg, "context length") || strings.Contains(msg, "maximum context"):
			return ticketsum.Errorf(ticketsum.EINVALID, "ticket too long for endpoint %s's context window: shorten the thread or lower max tokens: %w", ep, err)
		case status >= 400 && status < 500:
			return configError("the model on endpoint %s rejected the request (status %d): check models.<name>.payload (now %s): %w", ep, status, m.cfg.Payload, err)
		}
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "the model on endpoint %s failed: retry later: %w", ep, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := strings.ToLower(ae.ErrorMessage())
		switch strings.ToLower(ae.ErrorCode()) {
		case "throttlingexception", "toomanyrequestsexception":
			return ticketsum.Errorf(ticketsum.ETHROTTLED, "SageMaker throttled endpoint %s: retry after a pause, or scale the endpoint: %w", ep, err)
		case "validationerror", "validationexception":
			if strings.Contains(msg, "not found") {
				if m.cfg.InferenceComponent != "" && strings.Contains(msg, "inference component") {
					return ticketsum.Errorf(ticketsum.ENOTFOUND, "SageMaker inference component %s not found on endpoint %s: check its name: %w", m.cfg.InferenceComponent, ep, err)
				}
				return ticketsum.Errorf(ticketsum.ENOTFOUND, "SageMaker endpoint %s not found in %s: check the name and region (aws sagemaker list-endpoints): %w", ep, region, err)
			}
			return configError("SageMaker rejected the request to %s: check models.<name>.payload (now %s): %w", ep, m.cfg.Payload, err)
		case "accessdeniedexception":
			return ticketsum.Errorf(ticketsum.EFORBIDDEN, "access to SageMaker endpoint %s denied: check that IAM allows sagemaker:InvokeEndpoint on it: %w", ep, err)
		case "unrecognizedclientexception", "invalidsignatureexception", "expiredtokenexception", "incompletesignature",
			"missingauthenticationtokenexception", "invalidclienttokenid":
			return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "AWS rejected the credentials: refresh them (`aws sso login`), check AWS_PROFILE and the region %s: %w", region, err)
		case "modelnotreadyexception", "serviceunavailable", "internalfailure", "internaldependencyexception", "internalstreamfailure":
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker endpoint %s could not answer (%s): retry later: %w", ep, ae.ErrorCode(), err)
		}
		if ae.ErrorFault() == smithy.FaultServer {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker endpoint %s failed (%s): retry later: %w", ep, ae.ErrorCode(), err)
		}
		return configError("SageMaker rejected the request to %s (%s): %w", ep, ae.ErrorCode(), err)
	}
	if s := err.Error(); strings.Contains(s, "get identity") || strings.Contains(s, "failed to retrieve credentials") || strings.Contains(s, "failed to refresh cached credentials") {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no AWS credentials found: set AWS_PROFILE (and run `aws sso login`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role: %w", err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "cannot reach SageMaker runtime in %s: %s: %w", region, awsendpoint.Hint(m.endpoint, sdkID), err)
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "SageMaker call to %s failed: %w", ep, err)
}

// configError is an EINVALID error of the configuration class: the request
// the settings produce is wrong, not the ticket.
func configError(format string, args ...any) error {
	return ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID, format, args...), ticketsum.ClassConfig)
}
