// Package bedrockeval hands ticketsum's evaluation runs to Amazon Bedrock
// Model Evaluation, on the AWS SDK's bedrock control-plane client: Submit
// uploads a run's prompt datasets with precomputed responses
// (review.ExportBedrock) to S3 and creates one evaluation job per dataset,
// LLM-as-judge or with a human work team, under the IAM role from config;
// Import reads a finished LLM-as-judge job's results from S3 into an
// eval.Run, so that they sit in eval history beside local runs.
//
// The package bedrockevaltest serves the control plane's wire protocol in
// process for tests, beside gofakes3 for S3.
package bedrockeval
