// Package builtin is the built-in summariser: offline, deterministic, with
// no model weights and no network. It writes one English paragraph from a
// neutral template: the customer's issue ("The customer is complaining
// that ...", "The customer is asking how they can ...", "The customer asked
// support to ..."), what the agent did ("The agent has refunded ...", "The
// agent asked the customer to ...") and the resolution status.
//
// Sentences are chosen for how they read, not only for what they hold:
// each candidate is framed by its type (statement, request, imperative,
// wh- or yes/no question turned into an indirect one with statement word
// order, a leading "If ..., " or "In the app, " clause moved to the end),
// stripped of openers such as "But", "Agreed," or "Done:", and passed over
// when it is a fragment, a pleasantry, a sign-off or closing formula, a
// reference to text the reader lacks ("the steps above"), a sentence that
// scrubbing left with a gap, or one in which the guard package finds
// personal data. A customer sentence whose "this" or "that" stands for an
// earlier sentence ("How can I change this?") is stated together with the
// sentence before it, else gives way to a clause scoring nearly as well. A clause too long for its budget is cut only at a clause
// boundary, never mid-way; when no candidate fits, the next is tried.
//
// Sentences in another language (stop words of Spanish, German, French,
// Italian, Portuguese, Dutch and Indonesian, accented letters, or a
// non-Latin script) are never quoted: the summary states in English the
// language, the topic ("a duplicate charge", "webhooks", "a card reader")
// and what the agent did ("Replying in German, the agent refunded the
// charge.") from multilingual cues. Some tickets are stated as such: spam,
// a customer's out-of-office reply as their only message, internal notes
// only, a one-character message, a reopened ticket; a multi-issue ticket
// names each issue ("The customer raised three issues: ...") and the
// actions the agent completed for them. Completed actions ("I have
// refunded", "we removed") are preferred over explanations and courtesy,
// and a clause holding a placeholder ("a link") over none only when no
// other fits. Legal footers, help-desk acknowledgements and out-of-office
// replies are left out of the thread the status is read from.
//
// Names, contact details, numbers, links and profanity are scrubbed, and
// the status is decided from the end of the thread.
//
// It is the default model of ticketsum (name "builtin") and the floor any
// LLM configuration has to beat in evaluation. It costs nothing; its
// Summary.Usage is an estimate of four tokens per three words of the text
// considered and of the summary, so that its figures sit beside the models'.
//
// Measured on TweetSumm test (ROUGE-1/2/L F1): 39.82 / 16.52 / 32.33, against
// 29.55 / 13.57 / 24.83 for the first customer turn plus the last agent turn
// and 31.02 / 14.78 / 25.36 for human extractive summaries; builtin-v2 scored
// 40.53 / 17.12 / 32.83 while reading worse (docs/evaluation.md, "Failure
// classes and labelled facts").
package builtin
