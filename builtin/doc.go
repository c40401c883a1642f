// Package builtin is the built-in summariser: offline, deterministic, with
// no model weights and no network. It picks the sentence that best states the
// customer's issue and the one that best states what the agent did, rewrites
// them into a neutral third-person template ("The customer reports that ...
// The agent asked the customer to ... The issue is resolved."), scrubs names,
// contact details, numbers, links and profanity, and decides the resolution
// status from the end of the thread.
//
// It is the default model of ticketsum (name "builtin") and the floor any
// LLM configuration has to beat in evaluation.
package builtin
