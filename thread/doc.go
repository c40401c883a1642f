// Package thread cleans the text of ticket messages for summarising and for
// prompts: Clean turns an HTML or plain-text body into plain text with quoted
// replies, email signatures and pasted logs, stack traces and code removed or
// collapsed into one-line markers such as "[log: 120 lines omitted]", and
// whitespace normalised.
//
// Every step runs in time and memory linear in the size of the text, with no
// regular expressions, so bodies of hundreds of kilobytes are safe.
package thread
