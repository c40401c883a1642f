// Package audit records what every model call did and proves the record
// untouched.
//
// The invocation log keeps each call's redacted input and output, model,
// principal, request and ticket ids, tokens, cost, latency, guardrail actions
// and outcome in an InvocationRecord modelled on Bedrock's
// ModelInvocationLog. Sinks write JSONL to rotated files in a local
// directory (FileSink) or batched objects in S3 (S3Sink), envelope-encrypted:
// every file or object gets a fresh AES-256-GCM data key, wrapped by a local
// key file (LocalKeyWrapper, created 0600 on first use) or by AWS KMS
// (KMSKeyWrapper). A Reader decrypts them again for an authorised operator.
//
// The audit trail (Trail) is an append-only, hash-chained table of every
// model call and every admin action, with periodic digests signed by an
// Ed25519 key in the spirit of CloudTrail log file integrity validation.
// Verify detects edited, deleted, inserted and reordered records and says
// which; Usage aggregates the trail for cost attribution.
//
// Middleware puts both on the one model-call path.
package audit
