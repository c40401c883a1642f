// Package app builds the summarisation path from settings: provider models
// (Bedrock, SageMaker, OpenAI-compatible, built-in), the gateway that wraps
// them with rate limits, retries, fallbacks, governance middleware and
// metrics, the LLM summariser with its prompt template, and the one-ticket
// pipeline. Both binaries (cmd/ticketsum and cmd/ticketsum-lambda) use it, so
// that there is one place where a model call path is put together.
//
// It reads no environment and no files of its own: the binaries read their
// settings and pass them in Config.
package app
