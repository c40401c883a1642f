package bedrockeval

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// awsError codes an error of an S3 or Bedrock call for the message a user
// sees: what failed (format), what fixes it when the error code says, and
// only what identifies AWS's answer (its error code and request id), never
// its text, which can quote the request (see ticketsum.Withheldf). An
// error that is not AWS's answer (a timeout, an unreachable endpoint) is
// the local library's and keeps its text.
func awsError(err error, format string, args ...any) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, format+": %w", append(args, err)...)
	}
	code, fix := ticketsum.EUNAVAILABLE, ": retry later"
	switch c := strings.ToLower(ae.ErrorCode()); {
	case strings.HasPrefix(c, "accessdenied"), c == "forbidden", c == "allaccessdisabled":
		code, fix = ticketsum.EFORBIDDEN, ": check that the role or user may do this (aws.evaluation settings, the IAM policy in deploy/)"
	case c == "nosuchbucket", c == "nosuchkey", c == "notfound", c == "resourcenotfoundexception":
		code, fix = ticketsum.ENOTFOUND, ": check the name (aws.evaluation.bucket, the job name or ARN) and the region"
	case c == "conflictexception":
		code, fix = ticketsum.ECONFLICT, ": it already exists"
	case c == "throttlingexception", c == "slowdown", c == "toomanyrequestsexception":
		code, fix = ticketsum.ETHROTTLED, ": retry after a pause, or raise the quota in Service Quotas"
	case c == "servicequotaexceededexception":
		code, fix = ticketsum.EQUOTA, ": request an increase in Service Quotas"
	case c == "validationexception", c == "invalidrequest", c == "invalidargument", c == "invalidbucketname":
		code, fix = ticketsum.EINVALID, ": check the aws.evaluation settings (role_arn, bucket, judge_model, flow_definition_arn)"
	}
	return ticketsum.Withheldf(code, err, format+fix+"%s", append(args, awsendpoint.ErrorIDs(err))...)
}
