// Package deploy holds the AWS deployment of ticketsum: template.yaml (an
// AWS CloudFormation template that `sam deploy` deploys: EventBridge rule,
// SQS queue with a dead-letter queue, the Lambda function, its
// least-privilege IAM role, the KMS-encrypted invocation log bucket and an
// optional Bedrock Guardrail) and build.sh, which builds the function's
// bootstrap zip. The package's tests check the template's structure and
// that its IAM policies grant no more than the function needs. See
// docs/aws.md.
//
// grafana/ticketsum.json is a Grafana dashboard over the Prometheus
// metrics of serve and worker (docs/observability.md); a test checks that
// every query names series and labels the metrics package registers.
package deploy
