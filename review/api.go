package review

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// writeJSON writes v as indented JSON with status.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		h.fail(w, r, ticketsum.Errorf(ticketsum.EINTERNAL, "encode response: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// decode reads a JSON body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "the body is not the expected JSON: %s", truncate(err.Error(), 200))
	}
	return nil
}

// QueuePage is the answer of GET /review/api/queue.
type QueuePage struct {
	Items []*QueueItem `json:"items"`
	Total int          `json:"total"`
}

func (h *handler) apiQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := QueueFilter{State: State(q.Get("state")), Limit: h.s.cfg.PageSize}
	if f.State != "" && !f.State.Valid() {
		h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "state %q is not pending, approved, rejected or edited", truncate(string(f.State), 20)))
		return
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || name == "limit" && (n < 1 || n > 500) {
				h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "%s must be a number (limit 1 to 500)", name))
				return
			}
			*dst = n
		}
	}
	items, total, err := h.s.Queue(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if items == nil {
		items = []*QueueItem{}
	}
	h.writeJSON(w, r, http.StatusOK, QueuePage{Items: items, Total: total})
}

func (h *handler) apiItem(w http.ResponseWriter, r *http.Request) {
	id, err := summaryID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	item, err := h.s.cfg.Store.FindQueueItem(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, item)
}

func (h *handler) apiDecide(w http.ResponseWriter, r *http.Request) {
	id, err := summaryID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var d Decision
	if err := decode(r, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	item, err := h.s.Decide(r.Context(), id, d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, item)
}

func (h *handler) apiTasks(w http.ResponseWriter, r *http.Request) {
	tasks, err := h.s.cfg.Store.ListTasks(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []BlindTask{}
	for _, t := range tasks {
		out = append(out, t.Blind())
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"tasks": out})
}

// CreateTasksRequest is the body of POST /review/api/tasks: rating tasks
// from a stored eval run ("from_eval": run id or "latest", with optional
// "configs" and "n"), from eval items given in the body, or from the
// production history of tickets. An empty result is an error saying why.
type CreateTasksRequest struct {
	Source    string      `json:"source,omitempty"`
	Method    Method      `json:"method,omitempty"`
	FromEval  string      `json:"from_eval,omitempty"`
	Configs   []string    `json:"configs,omitempty"`
	N         int         `json:"n,omitempty"`
	Items     []eval.Item `json:"items,omitempty"`
	TicketIDs []string    `json:"ticket_ids,omitempty"`
}

func (h *handler) apiCreateTasks(w http.ResponseWriter, r *http.Request) {
	var req CreateTasksRequest
	if err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var tasks []*Task
	var err error
	given := 0
	for _, b := range []bool{req.FromEval != "", len(req.Items) > 0, len(req.TicketIDs) > 0} {
		if b {
			given++
		}
	}
	switch {
	case given > 1:
		err = ticketsum.Errorf(ticketsum.EINVALID, "give one of from_eval, items or ticket_ids")
	case req.FromEval != "":
		if req.Source != "" {
			err = ticketsum.Errorf(ticketsum.EINVALID, "tasks from an eval run are grouped under eval:RUN; leave source out")
			break
		}
		tasks, err = h.s.TasksFromEval(r.Context(), EvalTasksRequest{Run: req.FromEval, Configs: req.Configs, N: req.N, Method: req.Method})
	case len(req.Items) > 0:
		tasks, err = h.s.NewEvalTasks(r.Context(), req.Source, req.Items, req.Method)
	case len(req.TicketIDs) > 0:
		tasks, err = h.s.NewHistoryTasks(r.Context(), req.Source, req.TicketIDs, req.Method)
	default:
		err = ticketsum.Errorf(ticketsum.EINVALID, `say what to compare: {"from_eval": "latest"} for the outputs of the newest eval run, or "ticket_ids" for production history`)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []BlindTask{}
	for _, t := range tasks {
		out = append(out, t.Blind())
	}
	h.writeJSON(w, r, http.StatusCreated, map[string]any{"tasks": out})
}

func (h *handler) apiTask(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.cfg.Store.FindTask(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, t.Blind())
}

// RateRequest is the body of POST /review/api/tasks/{id}/ratings.
type RateRequest struct {
	Ratings []*Rating `json:"ratings"`
}

func (h *handler) apiRate(w http.ResponseWriter, r *http.Request) {
	var req RateRequest
	if err := decode(r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, x := range req.Ratings {
		if x == nil {
			h.fail(w, r, ticketsum.Errorf(ticketsum.EINVALID, "a rating is null"))
			return
		}
		x.CreatedAt = h.s.cfg.Clock.Now().UTC() // the server stamps API ratings
	}
	if err := h.s.Rate(r.Context(), r.PathValue("id"), req.Ratings); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]int{"saved": len(req.Ratings)})
}

func (h *handler) apiReport(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Report(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rep)
}

func (h *handler) apiRegenerate(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Regenerate(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusAccepted, map[string]string{"status": "requested"})
}
