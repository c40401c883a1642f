// Package openai is the provider for OpenAI-compatible chat completion
// servers (OpenAI, vLLM, Ollama, TGI, LiteLLM) on the official openai-go SDK.
// Model names are "openai:<model>".
//
// The provider makes exactly one HTTP attempt per Generate: the SDK's own
// retries are off because the gateway owns retries. It never reads the
// OPENAI_* environment variables; cmd/ticketsum passes the base URL and key
// in Config. Errors are translated to coded ticketsum errors (see Generate);
// a refused request is a configuration problem, never a bad ticket, except
// a prompt over the context window.
//
// A request's Output (structured output) is sent as response_format
// json_schema (Config.Structured, default) or as a forced function tool;
// the JSON comes back as the response's Text with Structured set. A server
// that refuses either (400 or 422 naming it) is asked again in text, which
// costs nothing twice since the refusal was not a completion, and in text
// from then on.
package openai
