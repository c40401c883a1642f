package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// Labels are the names candidates are shown under, in order.
const Labels = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// NewEvalTasks makes rating tasks from an eval run's per-item results
// (eval.Report.Items, kept with eval.Config.KeepItems), grouped by ticket:
// for Thumbs and Likert one task per ticket with every configuration's
// summary; for Choice one task per pair of configurations. Items without a
// summary are left out, and so are tickets with too few summaries. The
// configurations are shuffled under the labels A, B, ...; source names the
// batch for the report, such as "eval:" + run id.
func (s *Service) NewEvalTasks(ctx context.Context, source string, items []eval.Item, method Method) ([]*Task, error) {
	var order []string
	byTicket := map[string][]Candidate{}
	for _, it := range items {
		if it.Error != "" || strings.TrimSpace(it.Summary) == "" {
			continue
		}
		if _, ok := byTicket[it.TicketID]; !ok {
			order = append(order, it.TicketID)
		}
		model, pv := it.Model, ""
		if i := strings.LastIndexByte(it.Config, '/'); i >= 0 {
			pv = it.Config[i+1:]
		}
		byTicket[it.TicketID] = append(byTicket[it.TicketID], Candidate{Text: it.Summary, Config: it.Config, Model: model, PromptVersion: pv})
	}
	var cands [][]Candidate
	var tickets []string
	for _, id := range order {
		cands = append(cands, byTicket[id])
		tickets = append(tickets, id)
	}
	out, err := s.createTasks(ctx, source, tickets, cands, method)
	if err == nil && len(out) == 0 {
		err = ticketsum.Errorf(ticketsum.EINVALID, "none of the %d eval items gives a ticket two summaries to compare (items without a summary are left out)", len(items))
	}
	return out, err
}

// NewHistoryTasks makes rating tasks from production: for each ticket, the
// newest summary of each (model, prompt version) in its history. Tickets
// with too few distinct configurations are left out.
func (s *Service) NewHistoryTasks(ctx context.Context, source string, ticketIDs []string, method Method) ([]*Task, error) {
	var cands [][]Candidate
	var tickets []string
	for _, id := range ticketIDs {
		hist, err := s.cfg.Tickets.SummaryHistory(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("summary history of ticket %s: %w", id, err)
		}
		seen := map[string]bool{}
		var cs []Candidate
		for _, h := range hist { // newest first
			cfg := h.Model + "/" + h.PromptVersion
			if seen[cfg] || strings.TrimSpace(h.Text) == "" {
				continue
			}
			seen[cfg] = true
			cs = append(cs, Candidate{Text: h.Text, Config: cfg, Model: h.Model, PromptVersion: h.PromptVersion, SummaryID: h.ID})
		}
		cands = append(cands, cs)
		tickets = append(tickets, id)
	}
	out, err := s.createTasks(ctx, source, tickets, cands, method)
	if err == nil && len(out) == 0 {
		err = ticketsum.Errorf(ticketsum.EINVALID, "none of the %d tickets has a summary to rate in its history (a choice needs two configurations, model and prompt version); "+
			"compare the outputs of an eval run instead: ticketsum review tasks create --from-eval latest", len(ticketIDs))
	}
	return out, err
}

// createTasks shuffles, labels and stores the tasks of each ticket.
func (s *Service) createTasks(ctx context.Context, source string, tickets []string, cands [][]Candidate, method Method) ([]*Task, error) {
	if !method.Valid() {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "unknown rating method %q (want thumbs, likert or choice)", truncate(string(method), 20))
	}
	if source == "" || len(source) > 200 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "a task source is 1 to 200 bytes, such as eval:RUN-ID")
	}
	var out []*Task
	for i, id := range tickets {
		groups := [][]Candidate{cands[i]}
		if method == Choice {
			groups = pairs(cands[i])
		}
		for _, g := range groups {
			if len(g) == 0 || method == Choice && len(g) != 2 || len(g) > len(Labels) {
				continue
			}
			t := s.newTask(source, id, method, g)
			if err := s.cfg.Store.CreateTask(ctx, t); err != nil {
				return out, fmt.Errorf("create rating task for ticket %s: %w", id, err)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// pairs returns every pair of cs.
func pairs(cs []Candidate) [][]Candidate {
	var out [][]Candidate
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			out = append(out, []Candidate{cs[i], cs[j]})
		}
	}
	return out
}

// newTask shuffles a copy of cs and labels it.
func (s *Service) newTask(source, ticketID string, method Method, cs []Candidate) *Task {
	cs = slices.Clone(cs)
	s.mu.Lock()
	s.rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	id := fmt.Sprintf("t%012x", s.rng.Uint64()>>16)
	s.mu.Unlock()
	for i := range cs {
		cs[i].Label = Labels[i : i+1]
	}
	return &Task{ID: id, Source: source, TicketID: ticketID, Method: method, Candidates: cs, CreatedAt: s.cfg.Clock.Now().UTC()}
}
