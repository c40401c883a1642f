// Package openai is the provider for OpenAI-compatible chat completion
// servers (OpenAI, vLLM, Ollama, TGI, LiteLLM) on the official openai-go SDK.
// Model names are "openai:<model>".
//
// The provider makes exactly one HTTP attempt per Generate: the SDK's own
// retries are off because the gateway owns retries. It never reads the
// OPENAI_* environment variables; cmd/ticketsum passes the base URL and key
// in Config. Errors are translated to coded ticketsum errors (see Generate).
package openai
