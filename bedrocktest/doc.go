// Package bedrocktest runs an in-process fake of the Amazon Bedrock runtime
// and SageMaker runtime on 127.0.0.1, speaking their real wire protocol, so
// that tests drive the real aws-sdk-go-v2 clients with no AWS account.
//
// What it speaks:
//
//   - POST /model/{modelId}/converse, /converse-stream, /invoke and
//     /invoke-with-response-stream, routed on the escaped path so model IDs
//     with ":" and ARNs with "/" stay whole; base IDs, cross-region profiles
//     (us., eu., apac., global. ...) and ARNs all work.
//   - Converse and InvokeModel bodies for Claude (anthropic_version,
//     messages), Nova (messages-v1, inferenceConfig), Llama (prompt,
//     max_gen_len), Mistral (prompt or messages), Titan (inputText) and
//     Cohere Command R (message).
//   - Streams in application/vnd.amazon.eventstream frames: Converse events
//     ending in a metadata event with usage, and InvokeModel "chunk" events
//     whose last chunk carries amazon-bedrock-invocationMetrics.
//   - X-Amzn-Bedrock-Input-Token-Count / -Output-Token-Count (and cache)
//     headers; errors as X-Amzn-ErrorType plus a JSON message, with
//     Bedrock's statuses (ThrottlingException 429, ValidationException 400,
//     AccessDeniedException 403, ModelTimeoutException 408,
//     ModelErrorException 424, InternalServerException 500,
//     ServiceUnavailableException 503 ...).
//   - Guardrails (guardrailConfig on Converse, the guardrail headers on
//     InvokeModel, and POST /guardrail/{id}/version/{v}/apply): PII
//     (emails, phones, card and SSN numbers, Config.PIINames) is
//     ANONYMIZED as {TYPE}, Config.DeniedWords are BLOCKED.
//   - Prompt caching: content before a cachePoint block (Converse, Nova) or
//     a cache_control block (Claude InvokeModel) is written to the cache on
//     the first call and read on later calls with the same prefix.
//   - POST /endpoints/{name}/invocations for SageMaker, TGI and
//     OpenAI-messages payloads.
//   - The SigV4 credential scope: signing name bedrock (sagemaker for
//     SageMaker) and Config.Region. Signatures are not verified.
//
// Tokens are counted by Tokens (a quarter of the characters), so tests
// compute expected figures rather than hard-coding them. Answers come from
// Config.Responder (DefaultResponder by default, a deterministic
// summary-like paragraph). Faults (Config.Faults, Server.AddFault), latency
// and per-model RPM/TPM quotas over a sliding minute (shrunk by
// Config.TimeScale) make the gateway's retry and rate-limit paths testable;
// Server.Stats and Server.Requests give counters and requests for
// assertions.
//
// Using it from another package's test:
//
//	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
//	cfg := srv.AWSConfig() // static credentials, region, BaseEndpoint = srv.URL
//	client := bedrockruntime.NewFromConfig(cfg)
//	// or: bedrock.New(ctx, bedrock.Config{ModelID: "...", AWS: &cfg})
//
// A process configured by the standard AWS chain reaches it the same way
// as a real endpoint: AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<srv.URL> (or
// AWS_ENDPOINT_URL, or BaseEndpoint in code), AWS_REGION=us-east-1 and any
// static AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. SageMaker clients use
// AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
package bedrocktest
