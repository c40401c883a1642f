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
//   - Converse toolConfig as Bedrock checks it: a model without tool use
//     (Titan, Claude 2, the small Mistral models) refuses any toolConfig
//     ("This model doesn't support tool use."), and a toolChoice the model
//     lacks is refused with Bedrock's ValidationException ("This model
//     doesn't support the toolConfig.toolChoice.any field. ..."): "tool" and
//     "any" for Claude 3 and later, "tool" only for Nova, "any" only for
//     Mistral Large, "auto" only for Llama 3.1 and later. A forced tool is
//     answered with a toolUse block (stream: contentBlockStart and toolUse
//     deltas) whose input is StructuredAnswer of the Responder's text, with
//     stopReason tool_use.
//   - POST /endpoints/{name}/invocations for SageMaker, TGI and
//     OpenAI-messages payloads.
//   - The SigV4 credential scope: signing name bedrock (sagemaker for
//     SageMaker) and Config.Region. Signatures are not verified.
//
// Tokens are counted by Tokens (a quarter of the characters), so tests
// compute expected figures rather than hard-coding them. Answers come from
// Config.Responder (DefaultResponder by default, a deterministic
// summary-like paragraph without a STATUS line). Faults (Config.Faults,
// Server.AddFault), latency and per-model RPM/TPM quotas over a sliding
// minute (shrunk by Config.TimeScale) make the gateway's retry and
// rate-limit paths testable; Server.Stats and Server.Requests give counters
// and requests for assertions.
//
// The fault API, for journey tests: a Fault names a Kind and optionally a
// Model, an Op, how often it fires (Every, Rate, Limit) and when (After,
// For). Error kinds answer with the service's own error:
//
//	FaultThrottle, FaultOverloaded    429 ThrottlingException (SageMaker: 424 ModelError from a container 429)
//	FaultUnavailable, FaultInternal   503 / 500
//	FaultModelNotReady, FaultModelTimeout, FaultModelError   429 / 408 / 424
//	FaultQuotaExceeded                400 ServiceQuotaExceededException
//	FaultAccessDenied                 403 AccessDeniedException
//	FaultValidation                   400 ValidationException (Fault.Message for the on-demand or guardrail texts)
//	FaultNotFound                     404 ResourceNotFoundException (Message naming a guardrail for a missing one)
//
// (MidStream sends them as stream exceptions instead). The other kinds let
// the call go on: FaultTimeout never answers, FaultStall answers after
// Fault.Delay (a client with a shorter deadline gives up, uncharged),
// FaultMalformed corrupts the answer, FaultNoStatus answers without a status
// (no STATUS line, no "status" in a tool answer), and FaultDropAfterAnswer
// generates and charges the answer (Stats.Succeeded and Stats.Dropped) but
// closes the connection before sending it: a paid answer the client never
// sees.
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
