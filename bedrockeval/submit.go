package bedrockeval

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
)

// Job is an evaluation job Submit created.
type Job struct {
	ARN  string `json:"job_arn"`
	Name string `json:"job_name"`
	// Dataset is the s3:// URI of its prompt dataset; Configs the
	// configurations whose answers it holds.
	Dataset string   `json:"dataset"`
	Configs []string `json:"configs"`
}

// humanMetrics are what a human work team rates: each summary on a
// five-point scale, and which of the pair is better.
var humanMetrics = []types.HumanEvaluationCustomMetric{
	{Name: aws.String("Accuracy"), RatingMethod: aws.String("IndividualLikertScale"),
		Description: aws.String("The summary gives the customer's issue, what the agent did and whether it is resolved, with nothing the ticket does not say.")},
	{Name: aws.String("Preference"), RatingMethod: aws.String("ComparisonChoice"),
		Description: aws.String("Which summary would you rather show a reviewer?")},
}

var jobNameRE = regexp.MustCompile(`[^a-z0-9]+`)

// jobName makes a job name Bedrock accepts ([a-z0-9](-*[a-z0-9]){0,62}).
func jobName(runID string, n int) string {
	base := strings.Trim(jobNameRE.ReplaceAllString(strings.ToLower(runID), "-"), "-")
	suffix := fmt.Sprintf("-%d", n)
	return "ts-" + base[:min(len(base), 63-3-len(suffix))] + suffix
}

// Submit uploads each dataset to s3://Bucket/Prefix/RUN/NAME and creates
// one evaluation job for it: LLM-as-judge with Config.JudgeModel, or, with
// human, a job for the work team of Config.FlowDefinitionARN comparing the
// dataset's two configurations. It returns the jobs created before any
// failure; a failed upload is EUNAVAILABLE, a refused job keeps the SDK's
// error.
func (c *Client) Submit(ctx context.Context, run *eval.Run, datasets []review.BedrockDataset, human bool) ([]Job, error) {
	switch {
	case human && c.cfg.FlowDefinitionARN == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "a human evaluation job needs the work team's flow definition (config aws.evaluation.flow_definition_arn)")
	case !human && c.cfg.JudgeModel == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "an LLM-as-judge job needs an evaluator model (--judge MODEL or config aws.evaluation.judge_model)")
	case len(datasets) == 0:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "no prompt dataset to submit")
	}
	var jobs []Job
	for i, d := range datasets {
		key := c.cfg.Prefix + run.ID + "/" + d.Name
		var body bytes.Buffer
		if err := d.WriteJSONL(&body); err != nil {
			return jobs, err
		}
		if _, err := c.cfg.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.cfg.Bucket), Key: aws.String(key),
			Body: bytes.NewReader(body.Bytes()), ContentType: aws.String("application/jsonl")}); err != nil {
			return jobs, awsError(err, "upload prompt dataset to s3://%s/%s", c.cfg.Bucket, key)
		}
		job := Job{Name: jobName(run.ID, i+1), Dataset: "s3://" + c.cfg.Bucket + "/" + key, Configs: d.Configs}
		out, err := c.cfg.Bedrock.CreateEvaluationJob(ctx, c.jobInput(run, d, job, human))
		if err != nil {
			return jobs, awsError(err, "create evaluation job %s", job.Name)
		}
		job.ARN = aws.ToString(out.JobArn)
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// jobInput builds the CreateEvaluationJob request of one dataset.
func (c *Client) jobInput(run *eval.Run, d review.BedrockDataset, job Job, human bool) *bedrock.CreateEvaluationJobInput {
	metric := types.EvaluationDatasetMetricConfig{
		TaskType: types.EvaluationTaskTypeSummarization,
		Dataset: &types.EvaluationDataset{Name: aws.String(strings.TrimSuffix(d.Name, ".jsonl")),
			DatasetLocation: &types.EvaluationDatasetLocationMemberS3Uri{Value: job.Dataset}},
	}
	var models []types.EvaluationModelConfig
	for _, id := range d.Identifiers {
		models = append(models, &types.EvaluationModelConfigMemberPrecomputedInferenceSource{
			Value: types.EvaluationPrecomputedInferenceSource{InferenceSourceIdentifier: aws.String(id)}})
	}
	var cfg types.EvaluationConfig
	if human {
		for _, m := range humanMetrics {
			metric.MetricNames = append(metric.MetricNames, aws.ToString(m.Name))
		}
		cfg = &types.EvaluationConfigMemberHuman{Value: types.HumanEvaluationConfig{
			DatasetMetricConfigs: []types.EvaluationDatasetMetricConfig{metric}, CustomMetrics: humanMetrics,
			HumanWorkflowConfig: &types.HumanWorkflowConfig{FlowDefinitionArn: aws.String(c.cfg.FlowDefinitionARN),
				Instructions: aws.String("Read the ticket, then rate each summary as a support reviewer would.")},
		}}
	} else {
		metric.MetricNames = c.cfg.Metrics
		cfg = &types.EvaluationConfigMemberAutomated{Value: types.AutomatedEvaluationConfig{
			DatasetMetricConfigs: []types.EvaluationDatasetMetricConfig{metric},
			EvaluatorModelConfig: &types.EvaluatorModelConfigMemberBedrockEvaluatorModels{
				Value: []types.BedrockEvaluatorModel{{ModelIdentifier: aws.String(c.cfg.JudgeModel)}}},
		}}
	}
	return &bedrock.CreateEvaluationJobInput{
		JobName:          aws.String(job.Name),
		JobDescription:   aws.String(truncate("ticketsum eval run "+run.ID+": "+strings.Join(d.Configs, " vs "), 200)),
		RoleArn:          aws.String(c.cfg.RoleARN),
		EvaluationConfig: cfg,
		InferenceConfig:  &types.EvaluationInferenceConfigMemberModels{Value: models},
		OutputDataConfig: &types.EvaluationOutputDataConfig{S3Uri: aws.String("s3://" + c.cfg.Bucket + "/" + c.cfg.Prefix + run.ID + "/output/")},
		JobTags:          []types.Tag{{Key: aws.String("ticketsum-run"), Value: aws.String(run.ID)}},
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
