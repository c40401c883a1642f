// Package sagemaker is the SageMaker endpoint provider: a ticketsum.Model
// named "sagemaker:<endpoint>" that calls InvokeEndpoint on the
// aws-sdk-go-v2 sagemakerruntime client.
//
// Two payload styles are spoken: TGI / JumpStart text generation
// ({"inputs","parameters":{"max_new_tokens"}} answered by
// [{"generated_text"}] or {"generated_text"}) and the OpenAI messages style
// of newer containers (LMI, vLLM, TGI 1.4+: {"messages","max_tokens"}
// answered by a chat.completion with usage). An endpoint with several
// inference components is called with Config.InferenceComponent.
//
// Usage comes from the answer when it carries one; otherwise (TGI) it is
// estimated as a quarter of the characters, rounded up, and the response
// carries the FlagEstimatedUsage flag so cost reports can tell. Like the
// Bedrock provider it neither retries (the SDK retryer is off) nor prices,
// and translates errors to coded ticketsum errors.
package sagemaker
