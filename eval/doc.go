// Package eval measures summary quality: automatic metrics such as ROUGE,
// datasets of tickets with reference summaries, runners and reports.
//
// Rouge scores one candidate against its references; Mean averages scores
// over a dataset. Figures are F1 in [0, 1]; multiply by 100 for the usual
// presentation.
package eval
