// Package bedrockevaltest is an in-process fake of the Amazon Bedrock
// control plane's evaluation-job API (CreateEvaluationJob,
// GetEvaluationJob) speaking its REST-JSON wire protocol, for tests that
// point the AWS SDK's bedrock client at it. Complete finishes a job as
// Bedrock would: it reads the prompt dataset from S3, checks it, and writes
// per-prompt scores to the job's output location.
package bedrockevaltest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Server is the fake control plane.
type Server struct {
	URL string
	srv *httptest.Server

	mu   sync.Mutex
	jobs map[string]*job // by ARN
	reqs []map[string]any
}

type job struct {
	arn, status string
	req         map[string]any
	created     time.Time
	failures    []string
}

// New starts a server; Close stops it.
func New() *Server {
	s := &Server{jobs: map[string]*job{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /evaluation-jobs", s.create)
	mux.HandleFunc("GET /evaluation-jobs/{id...}", s.get)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the CreateEvaluationJob bodies received, oldest first.
func (s *Server) Requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.reqs...)
}

var (
	jobNameRE = regexp.MustCompile(`^[a-z0-9](-*[a-z0-9]){0,62}$`)
	identRE   = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9._-]){0,255}$`)
)

// fail answers a REST-JSON error as Bedrock does.
func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "ValidationException", "the body is not JSON")
		return
	}
	if msg := validate(req); msg != "" {
		fail(w, http.StatusBadRequest, "ValidationException", msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.req["jobName"] == req["jobName"] {
			fail(w, http.StatusConflict, "ConflictException", "an evaluation job named "+req["jobName"].(string)+" already exists")
			return
		}
	}
	s.reqs = append(s.reqs, req)
	arn := fmt.Sprintf("arn:aws:bedrock:us-east-1:123456789012:evaluation-job/job%04d", len(s.reqs))
	s.jobs[arn] = &job{arn: arn, status: "InProgress", req: req, created: time.Date(2026, 11, 25, 9, 0, len(s.reqs), 0, time.UTC)}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"jobArn": arn})
}

// validate checks what Bedrock checks of a CreateEvaluationJob request.
func validate(req map[string]any) string {
	name, _ := req["jobName"].(string)
	role, _ := req["roleArn"].(string)
	out, _ := req["outputDataConfig"].(map[string]any)
	ec, _ := req["evaluationConfig"].(map[string]any)
	ic, _ := req["inferenceConfig"].(map[string]any)
	switch {
	case !jobNameRE.MatchString(name):
		return fmt.Sprintf("jobName %q does not match [a-z0-9](-*[a-z0-9]){0,62}", name)
	case !strings.HasPrefix(role, "arn:aws:iam::"):
		return "roleArn must be an IAM role ARN"
	case out == nil || !strings.HasPrefix(fmt.Sprint(out["s3Uri"]), "s3://"):
		return "outputDataConfig.s3Uri is required"
	case len(ec) != 1 || ic == nil:
		return "evaluationConfig must have one of automated or human, and inferenceConfig is required"
	}
	models, _ := ic["models"].([]any)
	_, human := ec["human"]
	if len(models) == 0 || len(models) > 2 || !human && len(models) != 1 {
		return "inferenceConfig.models: an automated job takes one model, a human job one or two"
	}
	for _, m := range models {
		src, _ := m.(map[string]any)["precomputedInferenceSource"].(map[string]any)
		if id, _ := src["inferenceSourceIdentifier"].(string); !identRE.MatchString(id) {
			return fmt.Sprintf("inferenceSourceIdentifier %q is not valid", id)
		}
	}
	return ""
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	id, _ := url.PathUnescape(r.PathValue("id"))
	s.mu.Lock()
	j, ok := s.jobs[id]
	if !ok {
		for _, x := range s.jobs {
			if x.req["jobName"] == id {
				j, ok = x, true
			}
		}
	}
	var body map[string]any
	if ok {
		typ := "Automated"
		if _, human := j.req["evaluationConfig"].(map[string]any)["human"]; human {
			typ = "Human"
		}
		body = map[string]any{
			"jobArn": j.arn, "jobName": j.req["jobName"], "jobDescription": j.req["jobDescription"], "status": j.status,
			"roleArn": j.req["roleArn"], "jobType": typ, "applicationType": "ModelEvaluation",
			"evaluationConfig": j.req["evaluationConfig"], "inferenceConfig": j.req["inferenceConfig"],
			"outputDataConfig": j.req["outputDataConfig"], "creationTime": j.created.Format(time.RFC3339),
		}
		if len(j.failures) > 0 {
			body["failureMessages"] = j.failures
		}
	}
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "ResourceNotFoundException", "no evaluation job "+id)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

// Score gives a precomputed response its metric scores (0-1).
type Score func(metric string, record map[string]any, response string) float64

// Complete finishes an automated job as Bedrock does: it reads the prompt
// dataset from S3 (at most 1,000 prompts, every line with a response of
// the job's model identifier, or the job fails) and writes one output
// line per prompt under OUTPUT/JOBNAME/UUID/models/ID/taskTypes/
// Summarization/datasets/NAME/. It returns the job's final status.
func (s *Server) Complete(ctx context.Context, client *s3.Client, arn string, score Score) (string, error) {
	s.mu.Lock()
	j, ok := s.jobs[arn]
	s.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("no job %s", arn)
	}
	ec := j.req["evaluationConfig"].(map[string]any)
	auto, ok := ec["automated"].(map[string]any)
	if !ok {
		return "", fmt.Errorf("job %s is not automated", arn)
	}
	dmc := auto["datasetMetricConfigs"].([]any)[0].(map[string]any)
	ds := dmc["dataset"].(map[string]any)
	loc := ds["datasetLocation"].(map[string]any)["s3Uri"].(string)
	id := j.req["inferenceConfig"].(map[string]any)["models"].([]any)[0].(map[string]any)["precomputedInferenceSource"].(map[string]any)["inferenceSourceIdentifier"].(string)
	lines, err := readLines(ctx, client, loc)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	failures := checkDataset(lines, id)
	for _, rec := range lines {
		resp := rec["modelResponses"].([]any)[0].(map[string]any)["response"].(string)
		var scores []map[string]any
		for _, m := range dmc["metricNames"].([]any) {
			scores = append(scores, map[string]any{"metricName": m, "result": score(m.(string), rec, resp)})
		}
		b, _ := json.Marshal(map[string]any{"automatedEvaluationResult": map[string]any{"scores": scores}, "inputRecord": rec, "modelResponses": rec["modelResponses"]})
		out.Write(append(b, '\n'))
	}
	status := "Completed"
	if len(failures) > 0 {
		status = "Failed"
	} else if err := s.writeOutput(ctx, client, j, id, ds["name"].(string), out.Bytes()); err != nil {
		return "", err
	}
	s.mu.Lock()
	j.status, j.failures = status, failures
	s.mu.Unlock()
	return status, nil
}

// checkDataset returns why Bedrock would fail a dataset.
func checkDataset(lines []map[string]any, id string) []string {
	var out []string
	if len(lines) > 1000 {
		out = append(out, fmt.Sprintf("the prompt dataset has %d prompts; the limit is 1000", len(lines)))
	}
	for i, rec := range lines {
		p, _ := rec["prompt"].(string)
		mr, _ := rec["modelResponses"].([]any)
		if p == "" || len(mr) != 1 {
			out = append(out, fmt.Sprintf("line %d needs a prompt and one model response", i+1))
			continue
		}
		if got, _ := mr[0].(map[string]any)["modelIdentifier"].(string); got != id {
			out = append(out, fmt.Sprintf("line %d answers as %q, not the job's %q", i+1, got, id))
		}
	}
	return out
}

func readLines(ctx context.Context, client *s3.Client, uri string) ([]map[string]any, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(strings.TrimPrefix(u.Path, "/"))})
	if err != nil {
		return nil, fmt.Errorf("read dataset %s: %w", uri, err)
	}
	defer obj.Body.Close()
	var out []map[string]any
	sc := bufio.NewScanner(obj.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("dataset %s: %w", uri, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

func (s *Server) writeOutput(ctx context.Context, client *s3.Client, j *job, id, dataset string, body []byte) error {
	u, err := url.Parse(j.req["outputDataConfig"].(map[string]any)["s3Uri"].(string))
	if err != nil {
		return err
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	key := fmt.Sprintf("%s%s/0f1e2d3c/models/%s/taskTypes/Summarization/datasets/%s/9a8b7c6d_output.jsonl", prefix, j.req["jobName"], id, dataset)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(u.Host), Key: aws.String(key), Body: bytes.NewReader(body)})
	return err
}
