// Package eval measures summary quality so that the model and prompt are
// chosen by evaluation: datasets of tickets with reference summaries and
// labels (Dataset, LoadDataset), a Runner that summarises them with every
// candidate configuration, automatic metrics and bars, an optional
// LLM-as-judge, reports, and the history of runs over time.
//
// The ROUGE metric follows issue 2 exactly: Rouge scores one candidate
// against its references (text lowercased, tokens [a-z0-9]+, no stemming;
// ROUGE-1, ROUGE-2 and ROUGE-L F1, averaged over the references), Mean
// averages per-dialog scores over a dataset, and Scores.String prints them as
// percentages. With it, the trivial TweetSumm test baseline (first customer
// turn + last agent turn) scores 29.55 / 13.57 / 24.83, and the first
// annotator's extractive summaries 31.02 / 14.78 / 25.36.
package eval
