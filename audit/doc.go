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
// model call and every admin action, group-committed by one writer per
// process. Digests in the spirit of CloudTrail's digest files sign, with a
// pinned Ed25519 key, the range of records they cover and the previous
// digest's hash; a rotation digest is signed by the old and the new key,
// and an Anchor (S3Anchor) keeps a copy of each digest outside the
// database. Every appending process calls Trail.Close before it exits so
// that its records are signed (or, without the key, leaves them to a
// signer). Verify detects edited, deleted, inserted and reordered records,
// removed or forged digests and a replaced key, says which, and reports a
// trail whose records no digest covers as unproven, never OK; Usage
// aggregates the trail for cost attribution.
//
// Middleware puts both on the one model-call path.
package audit
