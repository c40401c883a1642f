package review

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// SaveEvalRun keeps an evaluation run: its metrics as eval history, every
// configuration's summary per ticket (rep.Items, made with
// eval.Config.KeepItems) and the tickets of ds they summarise, so that a
// blind comparison can start from it later (TasksFromEval). settings
// records what shaped the run (eval.NewRun). It returns the stored run.
func (s *Service) SaveEvalRun(ctx context.Context, rep *eval.Report, ds *eval.Dataset, settings map[string]string) (*eval.Run, error) {
	run := eval.NewRun(rep, settings)
	er := &EvalRun{Run: run, Items: rep.Items}
	used := map[string]bool{}
	for _, it := range rep.Items {
		used[it.TicketID] = true
	}
	if ds != nil {
		for _, t := range ds.Tickets {
			if used[t.ID] {
				er.Tickets = append(er.Tickets, t)
			}
		}
	}
	if err := s.cfg.Store.SaveEvalRun(ctx, er); err != nil {
		return nil, fmt.Errorf("keep eval run: %w", err)
	}
	return run, nil
}

// FindRun returns the stored run with id, or the newest with "latest".
// It returns ENOTFOUND saying what to run when there is none.
func (s *Service) FindRun(ctx context.Context, id string) (*eval.Run, error) {
	id = strings.TrimSpace(id)
	if id != "" && id != "latest" {
		return s.cfg.Store.FindEvalRun(ctx, id)
	}
	runs, err := s.cfg.Store.ListRuns(ctx)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no eval run is stored yet: run 'ticketsum eval --dataset FILE --models A,B' first")
	}
	return runs[len(runs)-1], nil
}

// EvalTasksRequest asks for blind rating tasks from a stored eval run.
type EvalTasksRequest struct {
	// Run is the run id, or "latest" (the default).
	Run string `json:"from_eval"`
	// Configs are the two or three configurations to compare. Default
	// every configuration of the run, when it has two or three.
	Configs []string `json:"configs,omitempty"`
	// N is how many tickets to sample. Default 50.
	N int `json:"n,omitempty"`
	// Method is the rating method. Default choice for two configurations
	// (one click per ticket), likert for three.
	Method Method `json:"method,omitempty"`
	// Tickets, when given, are the tickets to rate (such as the sample an
	// eval run's page shows side by side) instead of a random sample;
	// tickets not in the run are ignored. Default none.
	Tickets []string `json:"tickets,omitempty"`
}

// TasksFromEval makes blind rating tasks from a stored eval run: N tickets
// sampled at random among those every chosen configuration summarised,
// grouped under the source "eval:" + run id. Tickets that already have a
// task of the same configurations in that source are skipped. An empty
// result is an error that says why: no such run, outputs not kept, too few
// or unknown configurations, no ticket every configuration summarised.
func (s *Service) TasksFromEval(ctx context.Context, req EvalTasksRequest) ([]*Task, error) {
	run, err := s.FindRun(ctx, req.Run)
	if err != nil {
		return nil, err
	}
	configs, err := chooseConfigs(run, req.Configs)
	if err != nil {
		return nil, err
	}
	if req.N == 0 {
		req.N = 50
	}
	if req.N < 1 || req.N > 10000 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "the number of tickets to rate is %d; give 1 to 10000", req.N)
	}
	if req.Method == "" {
		req.Method = map[bool]Method{true: Choice, false: Likert}[len(configs) == 2]
	}
	items, err := s.cfg.Store.EvalItems(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s kept no summaries to rate (it was stored without its outputs); run eval again", run.ID)
	}
	source := "eval:" + run.ID
	tickets, cands, err := s.comparable(ctx, run, source, configs, items)
	if err != nil {
		return nil, err
	}
	if len(req.Tickets) > 0 {
		if tickets, cands = only(tickets, cands, req.Tickets); len(tickets) == 0 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "none of the %d chosen tickets of eval run %s can be rated: each lacks a summary from a chosen configuration or already has a task", len(req.Tickets), run.ID)
		}
	}
	tickets, cands = s.sample(tickets, cands, req.N)
	return s.createTasks(ctx, source, tickets, cands, req.Method)
}

// chooseConfigs checks the requested configurations against the run.
func chooseConfigs(run *eval.Run, want []string) ([]string, error) {
	var names []string
	for _, m := range run.Configurations {
		names = append(names, m.Name)
	}
	if len(want) == 0 {
		if len(names) < 2 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s evaluated one configuration (%s); a blind comparison needs two or three: run eval with --models A,B", run.ID, strings.Join(names, ""))
		}
		if len(names) > 3 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s has %d configurations; choose two or three of %s", run.ID, len(names), strings.Join(names, ", "))
		}
		return names, nil
	}
	seen := map[string]bool{}
	for _, c := range want {
		if !slices.Contains(names, c) {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s has no configuration %q; it has %s", run.ID, truncate(c, 100), strings.Join(names, ", "))
		}
		if seen[c] {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "configuration %q is chosen twice", truncate(c, 100))
		}
		seen[c] = true
	}
	if len(want) < 2 || len(want) > 3 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "choose two or three configurations to compare, not %d", len(want))
	}
	return want, nil
}

// comparable returns, in dataset order, the tickets every chosen
// configuration summarised and that have no task of those configurations
// in source yet, with their candidates.
func (s *Service) comparable(ctx context.Context, run *eval.Run, source string, configs []string, items []eval.Item) ([]string, [][]Candidate, error) {
	meta := map[string]eval.CellMetrics{}
	for _, m := range run.Configurations {
		meta[m.Name] = m
	}
	var order []string
	byTicket := map[string]map[string]Candidate{}
	failed := map[string]int{}
	for _, it := range items {
		if !slices.Contains(configs, it.Config) {
			continue
		}
		if _, ok := byTicket[it.TicketID]; !ok {
			order = append(order, it.TicketID)
			byTicket[it.TicketID] = map[string]Candidate{}
		}
		if it.Error != "" || strings.TrimSpace(it.Summary) == "" {
			failed[it.Config]++
			continue
		}
		m := meta[it.Config]
		byTicket[it.TicketID][it.Config] = Candidate{Text: it.Summary, Config: it.Config, Model: m.Model, PromptVersion: m.PromptVersion}
	}
	done, err := s.ratedSets(ctx, source)
	if err != nil {
		return nil, nil, err
	}
	var tickets []string
	var cands [][]Candidate
	skipped := 0
	for _, id := range order {
		if len(byTicket[id]) != len(configs) {
			continue
		}
		if done[id+"\x00"+configKey(configs)] {
			skipped++
			continue
		}
		var cs []Candidate
		for _, c := range configs {
			cs = append(cs, byTicket[id][c])
		}
		tickets, cands = append(tickets, id), append(cands, cs)
	}
	if len(tickets) == 0 {
		return nil, nil, noComparable(run.ID, configs, failed, skipped, len(order))
	}
	return tickets, cands, nil
}

// noComparable says why no ticket can be compared.
func noComparable(runID string, configs []string, failed map[string]int, skipped, total int) error {
	if skipped > 0 {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "every ticket of eval run %s already has a rating task comparing %s; rate them on the Blind rating page", runID, strings.Join(configs, ", "))
	}
	var why []string
	for _, c := range configs {
		if failed[c] > 0 {
			why = append(why, fmt.Sprintf("%s has no summary for %d of %d tickets", c, failed[c], total))
		}
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "no ticket of eval run %s has a summary from every chosen configuration (%s): %s; 'ticketsum eval history' and the run's report say why they failed",
		runID, strings.Join(configs, ", "), strings.Join(why, "; "))
}

// configKey names a set of configurations independently of order.
func configKey(configs []string) string {
	c := slices.Clone(configs)
	slices.Sort(c)
	return strings.Join(c, "\x00")
}

// ratedSets returns "ticket\x00configKey" for the tasks of source that
// compare a whole set (likert, thumbs) and, for choice tasks, the union of
// a ticket's pairs.
func (s *Service) ratedSets(ctx context.Context, source string) (map[string]bool, error) {
	tasks, err := s.cfg.Store.ListTasks(ctx, source)
	if err != nil {
		return nil, err
	}
	pairs := map[string][]string{}
	out := map[string]bool{}
	for _, t := range tasks {
		var cs []string
		for _, c := range t.Candidates {
			cs = append(cs, c.Config)
		}
		out[t.TicketID+"\x00"+configKey(cs)] = true
		for _, c := range cs {
			if !slices.Contains(pairs[t.TicketID], c) {
				pairs[t.TicketID] = append(pairs[t.TicketID], c)
			}
		}
	}
	for id, cs := range pairs {
		out[id+"\x00"+configKey(cs)] = true
	}
	return out, nil
}

// sample keeps n of the tickets, chosen at random, in their order.
func (s *Service) sample(tickets []string, cands [][]Candidate, n int) ([]string, [][]Candidate) {
	if len(tickets) <= n {
		return tickets, cands
	}
	idx := make([]int, len(tickets))
	for i := range idx {
		idx[i] = i
	}
	s.mu.Lock()
	s.rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	s.mu.Unlock()
	idx = idx[:n]
	slices.Sort(idx)
	var ts []string
	var cs [][]Candidate
	for _, i := range idx {
		ts, cs = append(ts, tickets[i]), append(cs, cands[i])
	}
	return ts, cs
}

// EvalHistory returns every stored run, oldest first, with the blind
// human ratings of each configuration (CellMetrics.Human) where the run's
// tasks have any.
func (s *Service) EvalHistory(ctx context.Context) ([]*eval.Run, error) {
	runs, err := s.cfg.Store.ListRuns(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := s.cfg.Store.ListTasks(ctx, "")
	if err != nil {
		return nil, err
	}
	rs, err := s.cfg.Store.ListRatings(ctx, "")
	if err != nil {
		return nil, err
	}
	bySource := map[string][]*Task{}
	for _, t := range tasks {
		bySource[t.Source] = append(bySource[t.Source], t)
	}
	for _, run := range runs {
		source := "eval:" + run.ID
		if len(bySource[source]) == 0 {
			continue
		}
		AttachHuman(run.Configurations, BuildReport(source, bySource[source], rs))
	}
	return runs, nil
}

// AttachHuman sets the Human scores of each configuration from a rating
// report of its run.
func AttachHuman(configs []eval.CellMetrics, rep *Report) {
	for i := range configs {
		for _, c := range rep.Configurations {
			if c.Config != configs[i].Name {
				continue
			}
			h := &eval.HumanScores{Ratings: c.LikertN + c.ThumbsN + c.Comparisons, LikertMean: c.LikertMean, ThumbsUpRate: c.ThumbsUpRate, WinRate: c.WinRate}
			if h.Ratings > 0 {
				configs[i].Human = h
			}
		}
	}
}

// only keeps the tickets (and their candidates) that are in want.
func only(tickets []string, cands [][]Candidate, want []string) ([]string, [][]Candidate) {
	var ts []string
	var cs [][]Candidate
	for i, id := range tickets {
		if slices.Contains(want, id) {
			ts, cs = append(ts, id), append(cs, cands[i])
		}
	}
	return ts, cs
}
