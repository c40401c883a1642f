// Package prompt holds the versioned prompt templates of the LLM summariser
// and everything around them: rendering a ticket as delimited data, few-shot
// examples chosen per product line, a tone guide made of knowledge-base
// articles, token budgets and chunking for tickets that do not fit a model's
// context window, parsing the model's answer and its status line, and the
// output checks (one paragraph, word limit, no preamble, English, no personal
// data) that decide whether an answer needs a repair call.
//
// Templates are embedded in the binary (templates/*.tmpl, one file per
// version, the version being the file name without .tmpl) and can be
// overridden by a file or a directory. Every summary records the version of
// the template that produced it.
package prompt
