package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrockeval"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
)

// EvaluationConfig configures Amazon Bedrock Model Evaluation jobs
// (`eval submit --bedrock`, `eval import --bedrock`), under aws.evaluation.
type EvaluationConfig struct {
	// RoleARN is the IAM role Bedrock assumes to read the prompt datasets
	// and write results. Required to submit.
	RoleARN string `yaml:"role_arn"`
	// JudgeModel is the evaluator model of LLM-as-judge jobs, a Bedrock
	// model id (--judge overrides it).
	JudgeModel string `yaml:"judge_model"`
	// FlowDefinitionARN is the human work team's flow definition, for
	// --human jobs.
	FlowDefinitionARN string `yaml:"flow_definition_arn"`
	// Bucket holds datasets and results. Default governance.s3_bucket, the
	// invocation log's bucket.
	Bucket string `yaml:"bucket"`
	// Prefix starts every key. Default "bedrock-evaluations/".
	Prefix string `yaml:"prefix"`
}

// evalBedrockCmds are the Amazon Bedrock Model Evaluation subcommands of
// `ticketsum eval`: export, submit and import.
func evalBedrockCmds(e *env) []*cobra.Command {
	return []*cobra.Command{newEvalExportCmd(e), newEvalSubmitCmd(e), newEvalImportCmd(e)}
}

// newEvalExportCmd is `ticketsum eval export --format bedrock RUN|latest`.
func newEvalExportCmd(e *env) *cobra.Command {
	var format, out string
	var human bool
	cmd := &cobra.Command{
		Use:   "export --format bedrock [RUN|latest]",
		Short: "Write a kept eval run as Amazon Bedrock evaluation prompt datasets",
		Long: `Write a kept eval run (the newest with "latest", the default) as the JSON Lines
prompt datasets that Amazon Bedrock Model Evaluation jobs take, with each
configuration's summaries as precomputed inference responses: one line per
ticket with prompt (the ticket redacted by the guard), referenceResponse (its
first reference summary), category (its product line) and modelResponses
(response and modelIdentifier). One dataset per configuration for
LLM-as-judge jobs, or per pair with --human; at most 1,000 prompts a file
(Bedrock's limit per job), split beyond. A ticket with personal data left
after redaction is skipped and reported. Files are private to their owner.
See docs/evaluation.md.`,
		Example: `  ticketsum eval export --format bedrock latest
  ticketsum eval export --format bedrock 20261125T090039Z-dc1a015c --human --out bedrock/`,
		Args: argsOf(0, 1, "[RUN|latest]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "bedrock" {
				return usagef("--format: want bedrock (the only export format), got %q", format)
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.evalExport(cmd.Context(), cfg, runArg(args), out, human)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "`FORMAT` of the datasets: bedrock (required)")
	f.StringVarP(&out, "out", "o", "", "`DIR` to write the files in (default bedrock-eval/RUN in the data directory)")
	f.BoolVar(&human, "human", false, "datasets for a human work team, which compares two configurations: one per pair")
	return cmd
}

// newEvalSubmitCmd is `ticketsum eval submit --bedrock RUN|latest`.
func newEvalSubmitCmd(e *env) *cobra.Command {
	var onBedrock, human bool
	var judge string
	cmd := &cobra.Command{
		Use:   "submit --bedrock [RUN|latest]",
		Short: "Hand a kept eval run to Amazon Bedrock Model Evaluation",
		Long: `Export a kept eval run as "eval export --format bedrock" does, upload the
datasets to the S3 bucket of the invocation log (governance.s3_bucket, or
aws.evaluation.bucket) and create one Amazon Bedrock evaluation job per
dataset: LLM-as-judge with --judge (or aws.evaluation.judge_model), or with
--human the work team of aws.evaluation.flow_definition_arn. Bedrock assumes
the IAM role aws.evaluation.role_arn. The jobs are printed with the command
that imports their results once they are Completed.`,
		Example: `  ticketsum eval submit --bedrock latest --judge anthropic.claude-3-5-sonnet-20240620-v1:0
  ticketsum eval submit --bedrock 20261125T090039Z-dc1a015c --human`,
		Args: argsOf(0, 1, "[RUN|latest]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !onBedrock {
				return usagef("say where to submit: --bedrock (Amazon Bedrock Model Evaluation is the only service)")
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.evalSubmit(cmd.Context(), cfg, runArg(args), judge, human)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.BoolVar(&onBedrock, "bedrock", false, "submit to Amazon Bedrock Model Evaluation (required)")
	f.BoolVar(&human, "human", false, "a human work team rates pairs of configurations instead of an LLM judge")
	f.StringVar(&judge, "judge", "", "Bedrock `MODEL` id of the evaluator (default aws.evaluation.judge_model)")
	return cmd
}

// newEvalImportCmd is `ticketsum eval import --bedrock JOB`.
func newEvalImportCmd(e *env) *cobra.Command {
	var onBedrock bool
	cmd := &cobra.Command{
		Use:   "import --bedrock JOB",
		Short: "Read a finished Amazon Bedrock evaluation job into eval history",
		Long: `Read the results of a Completed Amazon Bedrock LLM-as-judge evaluation job
(its ARN, or name) from S3 and keep them as an eval run "bedrock-JOBNAME",
with the mean of each metric per configuration, so that they sit beside local
runs under Evaluations in ticketsum serve. A job still running is refused
with its status; a human job's results are read in the Bedrock console.`,
		Example: `  ticketsum eval import --bedrock arn:aws:bedrock:us-east-1:123456789012:evaluation-job/abcd1234`,
		Args:    argsOf(1, 1, "JOB"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !onBedrock {
				return usagef("say where the job ran: --bedrock (Amazon Bedrock Model Evaluation is the only service)")
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.evalImport(cmd.Context(), cfg, args[0])
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().BoolVar(&onBedrock, "bedrock", false, "the job ran on Amazon Bedrock Model Evaluation (required)")
	return cmd
}

// runArg is the RUN argument, "latest" when absent.
func runArg(args []string) string {
	if len(args) == 0 {
		return "latest"
	}
	return args[0]
}

// evalExport writes the Bedrock datasets of a kept run into a directory.
func (e *env) evalExport(ctx context.Context, cfg Config, run, out string, human bool) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	r, exp, err := w.bedrockExport(ctx, run, human)
	if err != nil {
		return err
	}
	dir := out
	if dir == "" {
		if dir, err = w.dataFile("", filepath.Join("bedrock-eval", review.BedrockIdentifier(r.ID))); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "--out %s: %v", dir, unwrapPathError(err))
	}
	prompts := 0
	for _, d := range exp.Datasets {
		path := filepath.Join(dir, d.Name)
		if err := writeFileWith(path, d.WriteJSONL); err != nil {
			return err
		}
		prompts += len(d.Records)
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", path, plural(len(d.Records), "prompt"), strings.Join(d.Configs, " vs "))
	}
	e.reportSkipped("eval export", exp.Skipped)
	fmt.Fprintf(e.stderr, "wrote %s (%s) of eval run %s to %s\n", plural(len(exp.Datasets), "dataset"), plural(prompts, "prompt"), r.ID, dir)
	return nil
}

// evalSubmit exports a kept run and creates its Bedrock evaluation jobs.
func (e *env) evalSubmit(ctx context.Context, cfg Config, run, judge string, human bool) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	client, err := w.bedrockEvalClient(ctx, judge)
	if err != nil {
		return err
	}
	r, exp, err := w.bedrockExport(ctx, run, human)
	if err != nil {
		return err
	}
	e.reportSkipped("eval submit", exp.Skipped)
	jobs, err := client.Submit(ctx, r, exp.Datasets, human)
	for _, j := range jobs {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", j.Name, j.ARN, j.Dataset, strings.Join(j.Configs, " vs "))
	}
	if err != nil {
		if len(jobs) > 0 {
			fmt.Fprintf(e.stderr, "ticketsum eval submit: %s created before the failure (above)\n", plural(len(jobs), "job"))
		}
		return err
	}
	fmt.Fprintf(e.stderr, "created %s for eval run %s; once Completed, import each with: ticketsum eval import --bedrock %s\n",
		plural(len(jobs), "evaluation job"), r.ID, jobs[0].ARN)
	return nil
}

// evalImport keeps a finished Bedrock job's results as an eval run.
func (e *env) evalImport(ctx context.Context, cfg Config, job string) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	client, err := w.bedrockEvalClient(ctx, "")
	if err != nil {
		return err
	}
	run, err := client.Import(ctx, job)
	if err != nil {
		return err
	}
	_, st, err := w.evalReview(ctx)
	if err != nil {
		return err
	}
	if err := st.SaveRun(ctx, run); err != nil {
		if ticketsum.ErrorCodeOf(err) == ticketsum.ECONFLICT {
			return ticketsum.Errorf(ticketsum.ECONFLICT, "evaluation job %s is imported already, as eval run %s", job, run.ID)
		}
		return err
	}
	if err := eval.WriteHistory(e.stdout, []*eval.Run{run}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "kept as eval run %s (Evaluations in ticketsum serve: /evals/%s)\n", run.ID, run.ID)
	return nil
}

// reportSkipped prints the tickets an export left out, one a line.
func (e *env) reportSkipped(cmd string, skipped []review.SkippedRecord) {
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "ticketsum %s: skipped ticket %q: %s\n", cmd, s.TicketID, s.Reason)
	}
}

// evalReview opens the review service on the store, where eval runs are
// kept with their outputs and tickets.
func (w *wiring) evalReview(ctx context.Context) (*review.Service, *review.SQLStore, error) {
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	st, err := review.NewSQLStore(b.db, b.dialect)
	if err != nil {
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, nil, fmt.Errorf("migrate review tables: %w", err)
	}
	svc, err := review.New(review.Config{Store: st, Tickets: b.store, NoSampling: true, Logger: w.logger})
	if err != nil {
		return nil, nil, err
	}
	return svc, st, nil
}

// bedrockExport builds the Bedrock datasets of a kept run, redacted and
// checked by the guard.
func (w *wiring) bedrockExport(ctx context.Context, run string, human bool) (*eval.Run, *review.BedrockExport, error) {
	svc, _, err := w.evalReview(ctx)
	if err != nil {
		return nil, nil, err
	}
	bc, err := svc.BedrockExportOf(ctx, run)
	if err != nil {
		return nil, nil, err
	}
	if bc.Redact, bc.Check, err = w.redactors(); err != nil {
		return nil, nil, err
	}
	bc.Human = human
	exp, err := review.ExportBedrock(ctx, bc)
	if err != nil {
		return nil, nil, err
	}
	return bc.Run, exp, nil
}

// bedrockEvalClient makes the evaluation-job client from config: the
// bedrock control-plane and S3 clients of the standard AWS chain.
func (w *wiring) bedrockEvalClient(ctx context.Context, judge string) (*bedrockeval.Client, error) {
	ec := w.cfg.AWS.Evaluation
	if judge == "" {
		judge = ec.JudgeModel
	}
	bucket := ec.Bucket
	if bucket == "" {
		bucket = w.cfg.governanceConfig().S3Bucket
	}
	awsCfg, err := w.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return bedrockeval.New(bedrockeval.Config{
		Bedrock: bedrock.NewFromConfig(*awsCfg), S3: w.s3Client(*awsCfg), Bucket: bucket, Prefix: ec.Prefix,
		RoleARN: ec.RoleARN, JudgeModel: strings.TrimPrefix(judge, "bedrock:"), FlowDefinitionARN: ec.FlowDefinitionARN,
	})
}

// s3Client is the S3 client of the standard chain; with an endpoint
// override (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL: MinIO, LocalStack, a
// test double) it addresses buckets by path, which such servers need.
func (w *wiring) s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}
