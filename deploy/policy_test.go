package deploy

import (
	"fmt"
	"slices"
	"strings"
)

// wildcardAllowed lists the only actions granted on Resource "*", with why:
// they support no resource-level permissions, and Lambda needs them to
// attach a function to a VPC. Both are read-only.
var wildcardAllowed = map[string]string{
	"ec2:DescribeNetworkInterfaces": "no resource-level permissions; Lambda VPC attachment",
	"ec2:DescribeSubnets":           "no resource-level permissions; Lambda VPC attachment",
}

// roleActions is every action the function's role may be granted. A new
// grant must be added here on purpose, and docs/aws.md must explain it.
var roleActions = []string{
	"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:ApplyGuardrail",
	"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
	"rds-db:connect", "logs:CreateLogStream", "logs:PutLogEvents", "s3:PutObject", "kms:GenerateDataKey",
	"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
	"ec2:UnassignPrivateIpAddresses", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
}

// modelParams are the parameters whose values name the models the function
// may call.
var modelParams = []string{"${ModelId}", "${FallbackModelId}"}

// policyProblems returns every way the template's policies grant more than
// least privilege. Deny statements may be broad (a broad deny is stricter);
// Allow statements may not.
func policyProblems(t *template) []string {
	var problems []string
	bad := func(st statement, format string, args ...any) {
		problems = append(problems, st.where+": "+fmt.Sprintf(format, args...))
	}
	for name, r := range t.Resources {
		var sts []statement
		isKeyPolicy := false
		switch r.Type {
		case "AWS::IAM::Role":
			if r.Properties["ManagedPolicyArns"] != nil {
				problems = append(problems, name+": managed policies are not reviewed here; write the statements inline")
			}
			for _, p := range expandIf(r.Properties["Policies"]) {
				pm := mapOf(p)
				sts = append(sts, statements(fmt.Sprintf("%s policy %v", name, pm["PolicyName"]), pm["PolicyDocument"])...)
			}
			for _, st := range sts {
				for _, a := range st.actions {
					if st.effect == "Allow" && !slices.Contains(roleActions, a) {
						bad(st, "grants %s, which the function does not need (add it to roleActions on purpose)", a)
					}
				}
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			sts = statements(name, r.Properties["PolicyDocument"])
		case "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy":
			sts = statements(name, r.Properties["PolicyDocument"])
		case "AWS::KMS::Key":
			sts = statements(name, r.Properties["KeyPolicy"])
			isKeyPolicy = true
		}
		for _, st := range sts {
			if st.effect != "Allow" {
				continue
			}
			checkAllow(st, isKeyPolicy, bad)
		}
	}
	return problems
}

func checkAllow(st statement, isKeyPolicy bool, bad func(statement, string, ...any)) {
	if len(st.actions) == 0 {
		bad(st, "no actions")
	}
	for _, a := range st.actions {
		if strings.Contains(a, "*") || strings.HasPrefix(a, "NotAction:") {
			bad(st, "action %q is a wildcard or NotAction", a)
		}
	}
	if len(st.resources) == 0 && !isKeyPolicy {
		bad(st, "no resources")
	}
	for _, res := range st.resources {
		r := text(res)
		switch {
		case r == "NotResource":
			bad(st, "NotResource grants everything else")
		case r == "*" && isKeyPolicy:
			// In a key policy "*" is the key itself.
		case r == "*":
			for _, a := range st.actions {
				if _, ok := wildcardAllowed[a]; !ok {
					bad(st, "grants %s on every resource", a)
				}
			}
		case strings.Contains(r, "*"):
			objectPrefix := strings.HasPrefix(r, "Sub:${") && strings.Count(r, "/") >= 2 && strings.HasSuffix(r, "/*") &&
				!strings.Contains(strings.TrimSuffix(r, "*"), "*")
			if len(st.condition) == 0 && !objectPrefix {
				bad(st, "resource %s has a wildcard and no condition to narrow it", r)
			}
		}
	}
	for _, a := range st.actions {
		if !strings.HasPrefix(a, "bedrock:") {
			continue
		}
		for _, res := range st.resources {
			r := text(res)
			switch {
			case a == "bedrock:ApplyGuardrail":
				if !strings.HasPrefix(r, "GetAtt:") || !strings.HasSuffix(r, ".GuardrailArn") {
					bad(st, "%s on %s, not on the stack's own guardrail", a, r)
				}
			case !slices.ContainsFunc(modelParams, func(p string) bool { return strings.Contains(r, p) }):
				bad(st, "%s on %s, which is not built from the model parameters", a, r)
			case strings.Contains(r, ":bedrock:*:") && mapOf(st.condition["StringEquals"])["bedrock:InferenceProfileArn"] == nil:
				bad(st, "%s on a model in any region without the inference-profile condition", a)
			}
		}
	}
}
