package review

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// tasksPage is the data of the task list, with the form that starts a
// blind comparison from an eval run.
type tasksPage struct {
	layout
	Sources  []sourceView
	Start    startForm
	Revealed *revealView
}

// startForm is the "Start a blind comparison" form: the stored eval runs,
// newest first, and the configurations of the chosen one.
type startForm struct {
	Runs    []runOption
	Run     string
	Configs []configOption
}

type runOption struct {
	ID, Label string
	Selected  bool
}

type configOption struct {
	Name, Detail string
	Checked      bool
}

type sourceView struct {
	Source string
	Tasks  []taskView
	Rated  int
}

type taskView struct {
	ID         string
	TicketID   string
	Method     Method
	Candidates []BlindCandidate
	Done       bool
}

// taskPage is the data of a rating page. It holds the blind task only, so
// that no configuration can reach the HTML; Revealed is the unblinded
// mapping of the task the rater has just rated.
type taskPage struct {
	layout
	Task       BlindTask
	Ticket     *ticketsum.Ticket
	Messages   []ticketsum.Message
	MethodHelp string
	Keys       string
	Scale      []int
	Next       string
	Position   int
	Total      int
	Revealed   *revealView
}

// revealView says which configuration wrote which summary of a task the
// rater has rated.
type revealView struct {
	TicketID string
	Labels   []Candidate
}

// reportPage is the data of the report page.
type reportPage struct {
	layout
	Report *Report
}

func (h *handler) handleTasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := tasksPage{layout: h.layout(w, r, "Blind rating", "tasks")}
	tasks, err := h.s.cfg.Store.ListTasks(ctx, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	done, err := h.ratedBy(r, "", p.Rater)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	idx := map[string]int{}
	for _, t := range tasks {
		i, ok := idx[t.Source]
		if !ok {
			i = len(p.Sources)
			idx[t.Source] = i
			p.Sources = append(p.Sources, sourceView{Source: t.Source})
		}
		b := t.Blind()
		sv := &p.Sources[i]
		sv.Tasks = append(sv.Tasks, taskView{ID: t.ID, TicketID: t.TicketID, Method: t.Method, Candidates: b.Candidates, Done: done[t.ID]})
		if done[t.ID] {
			sv.Rated++
		}
	}
	p.Start, err = h.startForm(r)
	if err == nil {
		p.Revealed, err = h.reveal(r, p.Rater)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "tasks", p)
}

// startForm lists the stored eval runs and the configurations of the one
// chosen with ?run= (default the newest); with two or three, all are
// checked.
func (h *handler) startForm(r *http.Request) (startForm, error) {
	runs, err := h.s.cfg.Store.ListRuns(r.Context())
	if err != nil || len(runs) == 0 {
		return startForm{}, err
	}
	f := startForm{Run: runs[len(runs)-1].ID}
	if v := r.URL.Query().Get("run"); v != "" {
		f.Run = v
	}
	for i := len(runs) - 1; i >= 0; i-- {
		run := runs[i]
		label := fmt.Sprintf("%s · %s · %d configurations", run.StartedAt.UTC().Format("2006-01-02 15:04"), run.Dataset.Name, len(run.Configurations))
		f.Runs = append(f.Runs, runOption{ID: run.ID, Label: label, Selected: run.ID == f.Run})
		if run.ID != f.Run {
			continue
		}
		for _, m := range run.Configurations {
			detail := fmt.Sprintf("%s · %s · %s", m.Model, m.PromptVersion, m.Verdict)
			if m.Errors > 0 {
				detail += fmt.Sprintf(" · %d of %d failed", m.Errors, m.Tickets)
			}
			f.Configs = append(f.Configs, configOption{Name: m.Name, Detail: detail, Checked: len(run.Configurations) <= 3})
		}
	}
	return f, nil
}

// handleStart starts a blind comparison from the form.
func (h *handler) handleStart(w http.ResponseWriter, r *http.Request) {
	req := EvalTasksRequest{Run: r.PostFormValue("run"), Configs: r.PostForm["config"], Method: Method(r.PostFormValue("method")), Tickets: r.PostForm["ticket"]}
	if v := strings.TrimSpace(r.PostFormValue("n")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "the number of tickets must be a whole number"))
			return
		}
		req.N = n
	}
	tasks, err := h.s.TasksFromEval(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/review/tasks/"+tasks[0].ID+"?done=started", http.StatusSeeOther)
}

// ratedBy returns the ids of source's tasks that rater has rated.
func (h *handler) ratedBy(r *http.Request, source, rater string) (map[string]bool, error) {
	done := map[string]bool{}
	if rater == "" {
		return done, nil
	}
	rs, err := h.s.cfg.Store.ListRatings(r.Context(), source)
	if err != nil {
		return nil, err
	}
	for _, x := range rs {
		if x.Rater == rater {
			done[x.TaskID] = true
		}
	}
	return done, nil
}

var methodHelp = map[Method]string{
	Thumbs: "Is each summary good enough to show a reviewer? Judge accuracy against the thread, completeness and tone.",
	Likert: "Score each summary from 1 (poor) to 5 (excellent) for accuracy against the thread, completeness and tone.",
	Choice: "Which of the two summaries is better? Judge accuracy against the thread, completeness and tone.",
}

var methodKeys = map[Method]string{
	Thumbs: "Keys: U good, D not good (for each summary in turn), Enter save and next, S skip.",
	Likert: "Keys: 1 to 5 score each summary in turn, Enter save and next, S skip.",
	Choice: "Keys: A or B choose, T tie, Enter save and next, S skip.",
}

func (h *handler) handleTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := h.s.cfg.Store.FindTask(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tk, err := h.s.taskTicket(ctx, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := taskPage{layout: h.layout(w, r, "Rate summaries", "tasks"), Task: t.Blind(), Ticket: tk, Messages: tk.Messages,
		MethodHelp: methodHelp[t.Method], Keys: methodKeys[t.Method], Scale: []int{1, 2, 3, 4, 5}}
	p.Next, p.Position, p.Total, err = h.progress(r, t, p.Rater)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Revealed, err = h.reveal(r, p.Rater)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "task", p)
}

// taskTicket loads a task's ticket: from the ticket store, or for an eval
// run's task from the run's own copy of its dataset.
func (s *Service) taskTicket(ctx context.Context, t *Task) (*ticketsum.Ticket, error) {
	tk, err := s.cfg.Tickets.FindTicket(ctx, t.TicketID)
	if run, ok := strings.CutPrefix(t.Source, "eval:"); ok && ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		tk, err = s.cfg.Store.FindEvalTicket(ctx, run, t.TicketID)
	}
	if err != nil {
		return nil, fmt.Errorf("load ticket %s: %w", t.TicketID, err)
	}
	return tk, nil
}

// reveal returns the unblinded task named by ?revealed= when rater has
// rated it, so the mapping is shown only after the rating is saved.
func (h *handler) reveal(r *http.Request, rater string) (*revealView, error) {
	id := r.URL.Query().Get("revealed")
	if id == "" || rater == "" {
		return nil, nil
	}
	t, err := h.s.cfg.Store.FindTask(r.Context(), id)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	done, err := h.ratedBy(r, t.Source, rater)
	if err != nil || !done[t.ID] {
		return nil, err
	}
	return &revealView{TicketID: t.TicketID, Labels: t.Candidates}, nil
}

// progress returns the next task of t's source that rater has not rated
// ("" when none), t's position among the source's tasks as the rater goes
// (rated ones first) and their number.
func (h *handler) progress(r *http.Request, t *Task, rater string) (next string, pos, total int, err error) {
	tasks, err := h.s.cfg.Store.ListTasks(r.Context(), t.Source)
	if err != nil {
		return "", 0, 0, err
	}
	done, err := h.ratedBy(r, t.Source, rater)
	if err != nil {
		return "", 0, 0, err
	}
	pos = 1
	for i, x := range tasks {
		if done[x.ID] && x.ID != t.ID {
			pos++
		}
		if x.ID != t.ID {
			continue
		}
		for _, y := range append(slices.Clone(tasks[i+1:]), tasks[:i]...) {
			if !done[y.ID] && next == "" {
				next = y.ID
			}
		}
	}
	return next, min(pos, len(tasks)), len(tasks), nil
}

func (h *handler) handleRate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := h.s.cfg.Store.FindTask(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rater := h.raterOf(r)
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	var rs []*Rating
	if t.Method == Choice {
		rs = append(rs, &Rating{Rater: rater, Chosen: r.PostFormValue("chosen"), Comment: comment})
	} else {
		for _, c := range t.Candidates {
			v := r.PostFormValue("score_" + c.Label)
			n, err := strconv.Atoi(v)
			if err != nil {
				h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "rate summary %s", c.Label))
				return
			}
			rs = append(rs, &Rating{Rater: rater, Label: c.Label, Score: n, Comment: comment})
		}
	}
	if err := h.s.Rate(ctx, t.ID, rs); err != nil {
		h.fail(w, r, err)
		return
	}
	rememberRater(w, rater)
	next, _, _, err := h.progress(r, t, rater)
	if err != nil || next == "" {
		http.Redirect(w, r, "/review/tasks?done=all-rated&revealed="+url.QueryEscape(t.ID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/review/tasks/"+next+"?done=rated&revealed="+url.QueryEscape(t.ID), http.StatusSeeOther)
}

func (h *handler) handleReport(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Report(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report", reportPage{layout: h.layout(w, r, "Rating report", "report"), Report: rep})
}

func (h *handler) handleExport(w http.ResponseWriter, r *http.Request) {
	rs, err := h.s.cfg.Store.ListRatings(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ratings.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := WriteCSV(w, rs); err != nil {
		h.s.cfg.Logger.ErrorContext(r.Context(), "export ratings", "err", err)
	}
}

func (h *handler) handleImport(w http.ResponseWriter, r *http.Request) {
	f, _, err := r.FormFile("file")
	if err != nil {
		h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "choose a CSV file to import"))
		return
	}
	defer f.Close()
	if _, err := h.s.ImportCSV(r.Context(), f); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/review/tasks?done=imported", http.StatusSeeOther)
}
