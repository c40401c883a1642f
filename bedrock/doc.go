// Package bedrock is the Amazon Bedrock provider: a ticketsum.Model named
// "bedrock:<modelId>" on the aws-sdk-go-v2 bedrockruntime client.
//
// It calls Converse by default, or InvokeModel with each family's native
// body (Claude messages, Nova messages-v1, Llama 3 prompt, Mistral, Titan)
// when Config.API is "invoke", streaming either when Config.Stream is set
// (usage then comes from the stream's final metadata event, or from
// amazon-bedrock-invocationMetrics). Model IDs may be base IDs
// (anthropic.claude-3-5-haiku-20241022-v1:0), cross-region inference
// profiles (us., eu., apac., global. ...) or ARNs (foundation-model,
// inference-profile, application-inference-profile).
//
// A request's Output (structured output) is sent on Converse as one tool
// with the object's JSON schema and a forced toolChoice where the model
// takes one (ModelRef.ForcedToolChoice: a named tool for Claude 3 and later
// and Nova, "any" for Mistral Large, per Bedrock's ToolChoice reference);
// the tool's input comes back as the response's Text with Structured set.
// Other models, and the invoke API, get no toolConfig and answer in text.
//
// The provider neither retries nor prices: the SDK's retryer is replaced by
// aws.NopRetryer so the gateway owns the only retry loop, and cost is the
// gateway's job. Errors are translated to coded ticketsum errors with a
// message that says what to do (credentials, model access, region,
// throttling, context window), and into the failure taxonomy: throttling,
// 5xx, timeouts and a model not ready are retryable; access denied, a model
// or guardrail not found, a model that needs an inference profile and any
// other refused request are configuration (ticketsum.ClassConfig); only a
// ticket over the context window is a bad ticket. Bedrock Guardrails pass through: masking
// (ANONYMIZED) continues with flags on the response, blocking returns
// EFORBIDDEN. Guardrail.Apply calls ApplyGuardrail on its own, for the
// guard package.
//
// Configuration follows the standard AWS chain when Config.AWS is nil
// (config.LoadDefaultConfig: AWS_REGION, AWS_PROFILE, credentials files,
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL ...). Tests point it
// at the bedrocktest fake with Config.AWS set to the fake's AWSConfig.
package bedrock
