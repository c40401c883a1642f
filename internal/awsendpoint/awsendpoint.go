// Package awsendpoint names the setting that gave an AWS client its
// endpoint, so that a "cannot reach" message names the variable actually
// in effect (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL or the
// profile's endpoint_url) rather than one the user did not set. It reads
// the sources the SDK loaded (aws.Config.ConfigSources), as the SDK's own
// endpoint resolution does, and nothing else. ErrorIDs names an AWS error
// by its code and request id, never its text.
package awsendpoint

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
)

// Setting returns the setting that gave resolved, the endpoint a client of
// the service sdkID ("Bedrock Runtime", "SageMaker Runtime") uses (its
// Options().BaseEndpoint), made from cfg: the service's variable, then
// AWS_ENDPOINT_URL, then the profile's services section or endpoint_url,
// in the SDK's order of precedence. It returns "" when no endpoint is set
// (the service's public endpoint for the region) and "the endpoint
// override" when the endpoint was set in code.
func Setting(ctx context.Context, cfg aws.Config, sdkID string, resolved *string) string {
	if resolved == nil || *resolved == "" {
		return ""
	}
	var profile config.SharedConfig
	var haveProfile bool
	for _, src := range cfg.ConfigSources {
		switch s := src.(type) {
		case config.EnvConfig:
			if v, ok, _ := s.GetServiceBaseEndpoint(ctx, sdkID); ok && v == *resolved {
				return ServiceVariable(sdkID)
			}
			if s.BaseEndpoint == *resolved {
				return "AWS_ENDPOINT_URL"
			}
		case config.SharedConfig:
			profile, haveProfile = s, true
		}
	}
	if haveProfile {
		if v, ok, _ := profile.GetServiceBaseEndpoint(ctx, sdkID); ok && v == *resolved {
			return "the endpoint_url of the services section of AWS profile " + profile.Profile
		}
		if profile.BaseEndpoint == *resolved {
			return "the endpoint_url of AWS profile " + profile.Profile
		}
	}
	return "the endpoint override"
}

// ServiceVariable returns the service's own endpoint variable:
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME for "Bedrock Runtime".
func ServiceVariable(sdkID string) string {
	return "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_"))
}

// Hint is the advice of a "cannot reach" message: check the network and
// the setting in effect, or, when none is (setting ""), where another
// endpoint would be set.
func Hint(setting, sdkID string) string {
	if setting == "" {
		return "check the network, or set " + ServiceVariable(sdkID) + " to reach it through another endpoint (a VPC endpoint or proxy)"
	}
	return "check the network and the endpoint set by " + setting
}

// ErrorIDs returns what identifies an AWS error without its text, which may
// echo the request: " (ValidationException, request id 1a2b-...)", with a
// leading space for the end of a message, or "" when err carries neither.
// An error code or request id with characters an AWS one does not have is
// left out.
func ErrorIDs(err error) string {
	var ids []string
	var ae smithy.APIError
	if errors.As(err, &ae) && safeID(ae.ErrorCode()) {
		ids = append(ids, ae.ErrorCode())
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && safeID(re.ServiceRequestID()) {
		ids = append(ids, "request id "+re.ServiceRequestID())
	}
	if len(ids) == 0 {
		return ""
	}
	return " (" + strings.Join(ids, ", ") + ")"
}

// safeID reports whether s looks like an AWS error code or request id:
// 1 to 100 letters, digits, '.', '_', ':' or '-'.
func safeID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == ':' || r == '-') {
			return false
		}
	}
	return true
}
