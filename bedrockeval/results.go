package bedrockeval

import (
	"bufio"
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// resultLine is one line of an automated job's *_output.jsonl.
type resultLine struct {
	AutomatedEvaluationResult struct {
		Scores []struct {
			MetricName string   `json:"metricName"`
			Result     *float64 `json:"result"`
		} `json:"scores"`
	} `json:"automatedEvaluationResult"`
	ModelResponses []struct {
		ModelIdentifier string `json:"modelIdentifier"`
	} `json:"modelResponses"`
}

// Import reads a finished LLM-as-judge job's results from its S3 output
// location into a run for eval history ("bedrock-" + job name): one
// configuration per model identifier, with the mean of each metric in
// CellMetrics.External and the scored prompts in Tickets. It returns
// ECONFLICT while the job is not Completed, EINVALID for a human job (its
// results are read in the Bedrock console), ENOTFOUND for an unknown job.
func (c *Client) Import(ctx context.Context, job string) (*eval.Run, error) {
	out, err := c.cfg.Bedrock.GetEvaluationJob(ctx, &bedrock.GetEvaluationJobInput{JobIdentifier: aws.String(job)})
	if err != nil {
		return nil, awsError(err, "get evaluation job %s", job)
	}
	switch {
	case out.Status != types.EvaluationJobStatusCompleted:
		return nil, ticketsum.Errorf(ticketsum.ECONFLICT, "evaluation job %s is %s; import it once it is Completed", aws.ToString(out.JobName), out.Status)
	case out.JobType == types.EvaluationJobTypeHuman:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "evaluation job %s uses human workers; read its results in the Bedrock console (import reads LLM-as-judge jobs)", aws.ToString(out.JobName))
	case out.OutputDataConfig == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "evaluation job %s has no output location", aws.ToString(out.JobName))
	}
	bucket, prefix, err := splitS3URI(aws.ToString(out.OutputDataConfig.S3Uri))
	if err != nil {
		return nil, err
	}
	sums, counts, err := c.readResults(ctx, bucket, prefix+aws.ToString(out.JobName)+"/")
	if err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "evaluation job %s wrote no results under %s", aws.ToString(out.JobName), aws.ToString(out.OutputDataConfig.S3Uri))
	}
	return runOf(out, sums, counts), nil
}

// readResults adds up every *_output.jsonl under prefix: per model
// identifier, the sum of each metric and the number of scored lines.
func (c *Client) readResults(ctx context.Context, bucket, prefix string) (map[string]map[string][2]float64, map[string]int, error) {
	sums, counts := map[string]map[string][2]float64{}, map[string]int{}
	p := s3.NewListObjectsV2Paginator(c.cfg.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, awsError(err, "list evaluation results in s3://%s/%s", bucket, prefix)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if !strings.HasSuffix(key, "_output.jsonl") {
				continue
			}
			if err := c.readResultFile(ctx, bucket, key, sums, counts); err != nil {
				return nil, nil, err
			}
		}
	}
	return sums, counts, nil
}

func (c *Client) readResultFile(ctx context.Context, bucket, key string, sums map[string]map[string][2]float64, counts map[string]int) error {
	obj, err := c.cfg.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return awsError(err, "read s3://%s/%s", bucket, key)
	}
	defer obj.Body.Close()
	sc := bufio.NewScanner(obj.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var line resultLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "s3://%s/%s line %d is not an evaluation result: %v", bucket, key, n, err)
		}
		id := "unknown"
		if len(line.ModelResponses) > 0 {
			id = line.ModelResponses[0].ModelIdentifier
		}
		counts[id]++
		if sums[id] == nil {
			sums[id] = map[string][2]float64{}
		}
		for _, s := range line.AutomatedEvaluationResult.Scores {
			if s.Result != nil {
				v := sums[id][s.MetricName]
				sums[id][s.MetricName] = [2]float64{v[0] + *s.Result, v[1] + 1}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return awsError(err, "read s3://%s/%s", bucket, key)
	}
	return nil
}

// runOf makes the history run of a job from its summed scores.
func runOf(out *bedrock.GetEvaluationJobOutput, sums map[string]map[string][2]float64, counts map[string]int) *eval.Run {
	run := &eval.Run{
		ID: "bedrock-" + aws.ToString(out.JobName), StartedAt: aws.ToTime(out.CreationTime).UTC(),
		Dataset: eval.DatasetInfo{Name: "bedrock:" + aws.ToString(out.JobName)},
		Config:  map[string]string{"source": "bedrock", "job_arn": aws.ToString(out.JobArn), "description": aws.ToString(out.JobDescription)},
	}
	if auto, ok := out.EvaluationConfig.(*types.EvaluationConfigMemberAutomated); ok {
		if m, ok := auto.Value.EvaluatorModelConfig.(*types.EvaluatorModelConfigMemberBedrockEvaluatorModels); ok && len(m.Value) > 0 {
			run.Judge = aws.ToString(m.Value[0].ModelIdentifier)
		}
	}
	var ids []string
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := eval.CellMetrics{Name: id, Model: id, Tickets: counts[id], Verdict: "imported", External: map[string]float64{}}
		for metric, v := range sums[id] {
			m.External[metric] = float64(int(v[0]/v[1]*1000+0.5)) / 1000
		}
		run.Configurations = append(run.Configurations, m)
		run.Models = append(run.Models, id)
	}
	run.Dataset.Tickets = counts[ids[0]]
	return run
}

// splitS3URI splits s3://bucket/prefix/ into the bucket and the prefix
// (with a trailing slash, or empty).
func splitS3URI(uri string) (bucket, prefix string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", ticketsum.Errorf(ticketsum.EINVALID, "%q is not an s3://bucket/prefix URI", uri)
	}
	prefix = strings.TrimPrefix(u.Path, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return u.Host, prefix, nil
}
