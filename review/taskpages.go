package review

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// tasksPage is the data of the task list.
type tasksPage struct {
	layout
	Sources []sourceView
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
// that no configuration can reach the HTML.
type taskPage struct {
	layout
	Task       BlindTask
	Ticket     *ticketsum.Ticket
	Messages   []ticketsum.Message
	MethodHelp string
	Scale      []int
	Next       string
}

// reportPage is the data of the report page.
type reportPage struct {
	layout
	Report *Report
}

func (h *handler) handleTasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := tasksPage{layout: h.layout(r, "Blind rating", "tasks")}
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
	h.render(w, r, http.StatusOK, "tasks", p)
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

func (h *handler) handleTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := h.s.cfg.Store.FindTask(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tk, err := h.s.cfg.Tickets.FindTicket(ctx, t.TicketID)
	if err != nil {
		h.fail(w, r, fmt.Errorf("load ticket %s: %w", t.TicketID, err))
		return
	}
	p := taskPage{layout: h.layout(r, "Rate summaries", "tasks"), Task: t.Blind(), Ticket: tk, Messages: tk.Messages,
		MethodHelp: methodHelp[t.Method], Scale: []int{1, 2, 3, 4, 5}}
	p.Next, err = h.nextTask(r, t, p.Rater)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "task", p)
}

// nextTask returns the id of the next task of t's source that rater has
// not rated, or "".
func (h *handler) nextTask(r *http.Request, t *Task, rater string) (string, error) {
	tasks, err := h.s.cfg.Store.ListTasks(r.Context(), t.Source)
	if err != nil {
		return "", err
	}
	done, err := h.ratedBy(r, t.Source, rater)
	if err != nil {
		return "", err
	}
	for i, x := range tasks {
		if x.ID != t.ID {
			continue
		}
		for _, y := range append(tasks[i+1:], tasks[:i]...) {
			if !done[y.ID] {
				return y.ID, nil
			}
		}
	}
	return "", nil
}

func (h *handler) handleRate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := h.s.cfg.Store.FindTask(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rater := strings.TrimSpace(r.PostFormValue("rater"))
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
	next, err := h.nextTask(r, t, rater)
	if err != nil || next == "" {
		http.Redirect(w, r, "/review/tasks?done=rated", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/review/tasks/"+next+"?done=rated", http.StatusSeeOther)
}

func (h *handler) handleReport(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Report(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "report", reportPage{layout: h.layout(r, "Rating report", "report"), Report: rep})
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
