package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/web"
)

// server serves the review handler mounted in the web server, as cmd wires it.
type server struct {
	*env
	h http.Handler
}

func mustServer(tb testing.TB, adjust func(*review.Config)) *server {
	tb.Helper()
	e := MustEnv(tb, adjust)
	rh, err := e.Svc.Handler()
	mustNoErr(tb, err, "review handler")
	ws, err := web.New(web.Config{Store: e.Tickets, Mount: map[string]http.Handler{"/review/": rh}, Nav: []web.Link{{Label: "Review", Path: "/review/"}}})
	mustNoErr(tb, err, "web server")
	return &server{env: e, h: ws.Handler()}
}

func (s *server) do(tb testing.TB, method, target string, body io.Reader, hdr map[string]string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func (s *server) get(tb testing.TB, target string) (int, string) {
	tb.Helper()
	rec := s.do(tb, http.MethodGet, target, nil, nil)
	return rec.Code, rec.Body.String()
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// token reads the CSRF token from a page.
func token(tb testing.TB, page string) string {
	tb.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// postForm posts a same-origin form, as a browser does.
func (s *server) postForm(tb testing.TB, target string, form url.Values) *httptest.ResponseRecorder {
	tb.Helper()
	return s.do(tb, http.MethodPost, target, strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", "Origin": "http://example.com",
	})
}

const secretModel = "bedrock:anthropic.claude-secret-model-v9"

// mustTasks makes likert and choice tasks over two configurations whose
// names must never reach a rating page.
func (s *server) mustTasks(tb testing.TB) (likert, choice *review.Task) {
	tb.Helper()
	ctx := context.Background()
	s.MustTicket(tb, "W-1")
	items := []eval.Item{
		{Config: "secret-config/prompt-v7", TicketID: "W-1", Model: secretModel, Summary: "The customer was charged twice; the agent refunded one charge."},
		{Config: "other-config/prompt-v2", TicketID: "W-1", Model: "openai:gpt-hidden", Summary: "Duplicate charge refunded by support."},
	}
	ls, err := s.Svc.NewEvalTasks(ctx, "eval:web", items, review.Likert)
	mustNoErr(tb, err, "likert tasks")
	cs, err := s.Svc.NewEvalTasks(ctx, "eval:web", items, review.Choice)
	mustNoErr(tb, err, "choice tasks")
	return ls[0], cs[0]
}

func TestPagesAreBlind(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	lt, ct := s.mustTasks(t)
	hidden := []string{"secret-config", "prompt-v7", "claude-secret", "gpt-hidden", "other-config"}
	for _, path := range []string{"/review/tasks", "/review/tasks/" + lt.ID, "/review/tasks/" + ct.ID, "/review/api/tasks/" + lt.ID, "/review/api/tasks?source=eval:web"} {
		code, body := s.get(t, path)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d:\n%s", path, code, body)
		}
		for _, h := range hidden {
			if strings.Contains(body, h) {
				t.Errorf("GET %s reveals %q", path, h)
			}
		}
		if strings.HasPrefix(path, "/review/tasks/") && !strings.Contains(body, "Summary A") {
			t.Errorf("GET %s does not show the labelled summaries", path)
		}
	}
	// The report is where the mapping is revealed.
	_, rep := s.get(t, "/review/report?source=eval:web")
	for _, want := range []string{"secret-config/prompt-v7", secretModel} {
		if !strings.Contains(rep, want) {
			t.Errorf("report does not name %q", want)
		}
	}
}

func TestRateForm(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	lt, ct := s.mustTasks(t)
	_, page := s.get(t, "/review/tasks/"+lt.ID)
	form := url.Values{"csrf": {token(t, page)}, "rater": {"Pat PM"}, "score_A": {"5"}, "score_B": {"2"}, "comment": {"A is clearer"}}
	rec := s.postForm(t, "/review/tasks/"+lt.ID, form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/review/tasks/"+ct.ID+"?done=rated&revealed="+lt.ID {
		t.Fatalf("rate = %d to %q, want 303 to the next task:\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if c := rec.Result().Cookies(); len(c) == 0 || c[0].Name != "review_rater" {
		t.Error("the rater's name is not remembered")
	}
	rs, _ := s.Store.ListRatings(context.Background(), "eval:web")
	if len(rs) != 2 || rs[0].Score != 5 || rs[1].Score != 2 || rs[0].Rater != "Pat PM" || rs[0].Comment != "A is clearer" {
		t.Errorf("stored ratings %+v %+v", rs[0], rs[1])
	}
	rec = s.postForm(t, "/review/tasks/"+ct.ID, url.Values{"csrf": {token(t, page)}, "rater": {"Pat PM"}, "chosen": {"B"}})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("choose = %d:\n%s", rec.Code, rec.Body)
	}
	bad := s.postForm(t, "/review/tasks/"+lt.ID, url.Values{"csrf": {token(t, page)}, "rater": {"Pat"}, "score_A": {"9"}, "score_B": {"1"}})
	if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "from 1 to 5") {
		t.Errorf("score 9 = %d, want 400 saying the range:\n%s", bad.Code, bad.Body)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	lt, _ := s.mustTasks(t)
	_, page := s.get(t, "/review/tasks/"+lt.ID)
	good := url.Values{"csrf": {token(t, page)}, "rater": {"pm"}, "score_A": {"3"}, "score_B": {"3"}}
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", url.Values{"rater": {"pm"}, "score_A": {"3"}, "score_B": {"3"}}, map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{"wrong token", url.Values{"csrf": {strings.Repeat("0", 64)}, "rater": {"pm"}, "score_A": {"3"}, "score_B": {"3"}}, map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{"cross-site", good, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", good, map[string]string{"Origin": "https://evil.example"}},
	} {
		hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		for k, v := range tc.hdr {
			hdr[k] = v
		}
		rec := s.do(t, http.MethodPost, "/review/tasks/"+lt.ID, strings.NewReader(tc.form.Encode()), hdr)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, rec.Code)
		}
	}
	if rs, _ := s.Store.ListRatings(context.Background(), ""); len(rs) != 0 {
		t.Errorf("refused posts stored %d ratings", len(rs))
	}
	// JSON posts must be JSON, which a cross-site form cannot send.
	rec := s.do(t, http.MethodPost, "/review/api/tasks/"+lt.ID+"/ratings", strings.NewReader(`{"ratings":[]}`), map[string]string{"Content-Type": "text/plain"})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("text/plain API post = %d, want 400", rec.Code)
	}
}

func TestQueuePages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := mustServer(t, func(c *review.Config) { c.SampleShare = 1 })
	tk := s.MustTicket(t, "Q-1")
	tk.Messages = append(tk.Messages, ticketsum.Message{Role: ticketsum.RoleCustomer, Body: `<script>alert("x")</script> thanks`})
	_, err := s.Tickets.UpsertTicket(ctx, tk)
	mustNoErr(t, err, "upsert")
	sum := s.MustSummary(t, tk, "bedrock:haiku", "The customer was charged twice; the agent refunded one charge. Resolved.")
	_, err = s.Svc.OnSummarySaved(ctx, sum)
	mustNoErr(t, err, "sample")
	code, list := s.get(t, "/review/")
	if code != http.StatusOK || !strings.Contains(list, "/review/queue/") || !strings.Contains(list, "Q-1") {
		t.Fatalf("queue page = %d:\n%s", code, list)
	}
	item := "/review/queue/" + itoa(sum.ID)
	code, page := s.get(t, item)
	if code != http.StatusOK {
		t.Fatalf("item page = %d", code)
	}
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Error("ticket text is not escaped on the item page")
	}
	tok := token(t, page)
	long := strings.Repeat("refund ", 61)
	rec := s.postForm(t, item, url.Values{"csrf": {tok}, "rater": {"pm"}, "action": {"edited"}, "edited_text": {long}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "61 words") {
		t.Errorf("a 61-word edit = %d, want 400 naming the count:\n%s", rec.Code, rec.Body)
	}
	rec = s.postForm(t, item, url.Values{"csrf": {tok}, "rater": {"pm"}, "action": {"edited"}, "edited_text": {"Duplicate charge refunded; resolved."}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/review/?done=edited" {
		t.Errorf("edit = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	q, _ := s.Store.FindQueueItem(ctx, sum.ID)
	if q.State != review.Edited || q.EditedText != "Duplicate charge refunded; resolved." {
		t.Errorf("item after edit = %+v", q)
	}
	var got review.QueuePage
	rec = s.do(t, http.MethodGet, "/review/api/queue?state=edited", nil, nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Total != 1 || got.Items[0].SummaryID != sum.ID {
		t.Errorf("API queue = %s (%v)", rec.Body, err)
	}
	if code, _ := s.get(t, "/review/nothing-here"); code != http.StatusNotFound {
		t.Errorf("unknown review path = %d, want 404", code)
	}
}

func TestRegenerateHandler(t *testing.T) {
	t.Parallel()
	var calls int
	s := mustServer(t, func(c *review.Config) {
		c.Regenerate = func(context.Context, string) error { calls++; return nil }
	})
	tk := s.MustTicket(t, "R-1")
	s.MustSummary(t, tk, "bedrock:haiku", "Refunded.")
	_, page := s.get(t, "/review/tickets/R-1")
	form := url.Values{"csrf": {token(t, page)}, "back": {"/review/tickets/R-1"}}
	rec := s.postForm(t, "/review/tickets/R-1/regenerate", form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/review/tickets/R-1?done=regenerate" {
		t.Fatalf("regenerate = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = s.postForm(t, "/review/tickets/R-1/regenerate", form)
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("second regenerate = %d, want 429", rec.Code)
	}
	api := s.do(t, http.MethodPost, "/review/api/tickets/R-1/regenerate", strings.NewReader("{}"), map[string]string{"Content-Type": "application/json"})
	var body web.ErrorBody
	if api.Code != http.StatusTooManyRequests || json.Unmarshal(api.Body.Bytes(), &body) != nil || body.Error.Code != ticketsum.ETHROTTLED {
		t.Errorf("API regenerate = %d %s, want 429 throttled", api.Code, api.Body)
	}
	s.Clock.Add(5 * 60e9)
	form.Set("back", "https://evil.example/")
	rec = s.postForm(t, "/review/tickets/R-1/regenerate", form)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/review/tickets/R-1?done=regenerate" {
		t.Errorf("regenerate with a foreign back link redirects to %q", loc)
	}
	if calls != 2 {
		t.Errorf("callback called %d times, want 2", calls)
	}
	// Rating the current summary from the ticket page queues it.
	rec = s.postForm(t, "/review/tickets/R-1/queue", url.Values{"csrf": {token(t, page)}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/review/queue/") {
		t.Errorf("queue current = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestCSVEndpoints(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	lt, _ := s.mustTasks(t)
	mustNoErr(t, s.Svc.Rate(context.Background(), lt.ID, []*review.Rating{{Rater: "pm", Label: "A", Score: 4}}), "rate")
	rec := s.do(t, http.MethodGet, "/review/ratings.csv?source=eval:web", nil, nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Body.String(), lt.ID+",A,pm,likert,4") {
		t.Fatalf("export = %d %s:\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	_, page := s.get(t, "/review/tasks")
	upload := func(csv string) *httptest.ResponseRecorder {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", token(t, page))
		fw, _ := mw.CreateFormFile("file", "ratings.csv")
		fw.Write([]byte(csv))
		mw.Close()
		return s.do(t, http.MethodPost, "/review/ratings.csv", &b, map[string]string{"Content-Type": mw.FormDataContentType(), "Sec-Fetch-Site": "same-origin"})
	}
	head := strings.Join(review.CSVHeader, ",") + "\n"
	rec = upload(head + "T,x,A,pm,likert,4,,,\nT,y,A,pm,likert,4,,,\n")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Line 2:") || !strings.Contains(rec.Body.String(), "Line 3:") {
		t.Errorf("bad import = %d, want 400 listing lines 2 and 3:\n%s", rec.Code, rec.Body)
	}
	rec = upload(head + "W-1," + lt.ID + ",B,qa,likert,2,,,\n")
	if rec.Code != http.StatusSeeOther {
		t.Errorf("good import = %d:\n%s", rec.Code, rec.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// headerCSRF is a session-bound CSRF source for tests: the token is the
// signed-in user's name reversed.
type headerCSRF struct{}

func (headerCSRF) Token(_ http.ResponseWriter, r *http.Request) string {
	return reverse(r.Header.Get("X-Test-User"))
}

func (headerCSRF) CheckCSRF(r *http.Request) error {
	if got := r.PostFormValue("csrf"); got == "" || got != reverse(r.Header.Get("X-Test-User")) {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "stale token")
	}
	return nil
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// TestSignedInRater checks that with sign-in, ratings are recorded under
// the signed-in person whatever the form says, the form does not ask for
// a name, and the session-bound token is required.
func TestSignedInRater(t *testing.T) {
	t.Parallel()
	s := mustServer(t, func(c *review.Config) {
		c.CSRF = headerCSRF{}
		c.Rater = func(r *http.Request) string { return r.Header.Get("X-Test-User") }
	})
	lt, _ := s.mustTasks(t)
	as := func(method, target string, form url.Values) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		return s.do(t, method, target, body, map[string]string{"X-Test-User": "pm@example.com",
			"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
	}
	page := as(http.MethodGet, "/review/tasks/"+lt.ID, nil).Body.String()
	if !strings.Contains(page, "Signed in as <strong>pm@example.com</strong>") || strings.Contains(page, `name="rater"`) {
		t.Errorf("the rating form asks for a name although the rater is signed in")
	}
	if m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(page); m == nil || m[1] != reverse("pm@example.com") {
		t.Fatalf("the form does not carry the session's token: %v", m)
	}
	if rec := as(http.MethodPost, "/review/tasks/"+lt.ID, url.Values{"csrf": {"forged"}, "score_A": {"4"}, "score_B": {"3"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a forged token: %d, want 403", rec.Code)
	}
	rec := as(http.MethodPost, "/review/tasks/"+lt.ID, url.Values{"csrf": {reverse("pm@example.com")}, "rater": {"mallory"}, "score_A": {"4"}, "score_B": {"3"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("rate: %d %s", rec.Code, rec.Body)
	}
	rs, _ := s.Store.ListRatings(context.Background(), "eval:web")
	if len(rs) != 2 || rs[0].Rater != "pm@example.com" || rs[1].Rater != "pm@example.com" {
		t.Errorf("ratings recorded as %q, want the signed-in pm@example.com", rs[0].Rater)
	}
}
