package review_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/web"
)

func (s *server) postJSON(tb testing.TB, target, body string) (int, []byte) {
	tb.Helper()
	rec := s.do(tb, http.MethodPost, target, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
	return rec.Code, rec.Body.Bytes()
}

func TestAPIFlow(t *testing.T) {
	t.Parallel()
	s := mustServer(t, func(c *review.Config) { c.SampleShare = 1 })
	s.MustTicket(t, "A-1")
	code, body := s.postJSON(t, "/review/api/tasks", `{"source":"eval:api","method":"thumbs","items":[
		{"config":"haiku/v1","ticket_id":"A-1","model":"bedrock:haiku","summary":"Refund given.","words":2,"format_ok":true,"pii_leak":false,"latency_ms":1,"usage":{"input_tokens":1,"output_tokens":1},"cost_usd":0},
		{"config":"nova/v1","ticket_id":"A-1","model":"bedrock:nova","summary":"Charge refunded.","words":2,"format_ok":true,"pii_leak":false,"latency_ms":1,"usage":{"input_tokens":1,"output_tokens":1},"cost_usd":0}]}`)
	if code != http.StatusCreated {
		t.Fatalf("create tasks = %d %s", code, body)
	}
	if strings.Contains(string(body), "bedrock:") || strings.Contains(string(body), "haiku/v1") {
		t.Errorf("the created tasks reveal their configurations: %s", body)
	}
	var created struct{ Tasks []review.BlindTask }
	mustNoErr(t, json.Unmarshal(body, &created), "decode")
	if len(created.Tasks) != 1 || len(created.Tasks[0].Candidates) != 2 {
		t.Fatalf("created %s", body)
	}
	id := created.Tasks[0].ID
	code, body = s.postJSON(t, "/review/api/tasks/"+id+"/ratings", `{"ratings":[{"label":"A","rater":"pm","score":1},{"label":"B","rater":"pm","score":0}]}`)
	if code != http.StatusOK || !strings.Contains(string(body), `"saved": 2`) {
		t.Errorf("rate = %d %s", code, body)
	}
	for name, tc := range map[string]struct {
		path, body string
		status     int
		code       ticketsum.ErrorCode
	}{
		"unknown field":  {"/review/api/tasks/" + id + "/ratings", `{"ratings":[],"extra":1}`, 400, ticketsum.EINVALID},
		"no ratings":     {"/review/api/tasks/" + id + "/ratings", `{"ratings":[]}`, 400, ticketsum.EINVALID},
		"null rating":    {"/review/api/tasks/" + id + "/ratings", `{"ratings":[null]}`, 400, ticketsum.EINVALID},
		"thumbs of 3":    {"/review/api/tasks/" + id + "/ratings", `{"ratings":[{"label":"A","rater":"pm","score":3}]}`, 400, ticketsum.EINVALID},
		"unknown task":   {"/review/api/tasks/nope/ratings", `{"ratings":[{"label":"A","rater":"pm","score":1}]}`, 404, ticketsum.ENOTFOUND},
		"both sources":   {"/review/api/tasks", `{"source":"x","method":"thumbs","items":[{"config":"a","ticket_id":"A-1","summary":"s"}],"ticket_ids":["A-1"]}`, 400, ticketsum.EINVALID},
		"no source data": {"/review/api/tasks", `{"source":"x","method":"thumbs"}`, 400, ticketsum.EINVALID},
		"decide missing": {"/review/api/queue/999", `{"state":"approved","reviewer":"pm"}`, 404, ticketsum.ENOTFOUND},
	} {
		code, body := s.postJSON(t, tc.path, tc.body)
		var eb web.ErrorBody
		if code != tc.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", name, code, body, tc.status, tc.code)
		}
	}
	var rep review.Report
	rec := s.do(t, http.MethodGet, "/review/api/report?source=eval:api", nil, nil)
	mustNoErr(t, json.Unmarshal(rec.Body.Bytes(), &rep), "report")
	if len(rep.Configurations) != 2 || rep.Ratings != 2 {
		t.Errorf("report = %+v", rep)
	}
	// Queue over the API: sample a summary, decide on it.
	sum := s.MustSummary(t, s.MustTicket(t, "A-2"), "bedrock:haiku", "Refunded.")
	_, err := s.Svc.OnSummarySaved(context.Background(), sum)
	mustNoErr(t, err, "sample")
	code, body = s.postJSON(t, "/review/api/queue/"+itoa(sum.ID), `{"state":"approved","reviewer":"pm","comment":"fine"}`)
	var item review.QueueItem
	if code != http.StatusOK || json.Unmarshal(body, &item) != nil || item.State != review.Approved || item.Reviewer != "pm" {
		t.Errorf("decide = %d %s", code, body)
	}
	if rec := s.do(t, http.MethodGet, "/review/api/queue/"+itoa(sum.ID), nil, nil); !strings.Contains(rec.Body.String(), `"state": "approved"`) {
		t.Errorf("item after decision = %s", rec.Body)
	}
	if rec := s.do(t, http.MethodGet, "/review/api/queue?state=bogus", nil, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("bad state = %d, want 400", rec.Code)
	}
}

func FuzzImportCSV(f *testing.F) {
	head := strings.Join(review.CSVHeader, ",") + "\n"
	f.Add(head + "T-k1,k1,A,pm,likert,4,,,2026-11-20T08:30:00Z\n")
	f.Add(head + "T-k2,k2,,qa,choice,,tie,\"a,\"\"b\",\n")
	f.Add(head + "\"unterminated\n")
	f.Add("\ufeff" + head + "T-k1,k1,A,'=x,likert,1,,'@y,\n")
	e := MustEnv(f, nil)
	ctx := context.Background()
	at := newClock().Now()
	mustNoErr(f, e.Store.CreateTask(ctx, task("k1", "fuzz", review.Likert, at)), "task")
	mustNoErr(f, e.Store.CreateTask(ctx, task("k2", "fuzz", review.Choice, at)), "task")
	f.Fuzz(func(t *testing.T, in string) {
		n, err := e.Svc.ImportCSV(ctx, strings.NewReader(in))
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Fatalf("import failed with %v, want invalid or success", err)
		}
		if err == nil && n == 0 {
			t.Fatal("a successful import imported nothing")
		}
	})
}
