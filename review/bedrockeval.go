package review

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// MaxBedrockPrompts is the most prompts one Amazon Bedrock evaluation job
// takes from its prompt dataset; bigger exports are split.
const MaxBedrockPrompts = 1000

// BedrockRecord is one line of an Amazon Bedrock evaluation prompt dataset
// with precomputed inference responses ("bring your own inference
// responses"): the prompt, the reference summary, the category (the
// ticket's product line) and each configuration's answer.
type BedrockRecord struct {
	Prompt            string            `json:"prompt"`
	ReferenceResponse string            `json:"referenceResponse,omitempty"`
	Category          string            `json:"category,omitempty"`
	ModelResponses    []BedrockResponse `json:"modelResponses"`
}

// BedrockResponse is one precomputed answer; ModelIdentifier matches the
// job's precomputedInferenceSource inferenceSourceIdentifier.
type BedrockResponse struct {
	Response        string `json:"response"`
	ModelIdentifier string `json:"modelIdentifier"`
}

// BedrockDataset is one prompt dataset file: the configurations it holds
// answers of, and at most MaxBedrockPrompts records.
type BedrockDataset struct {
	// Name is the file name, such as "RUN-haiku-1.jsonl".
	Name string
	// Configs are the configuration names; Identifiers their
	// modelIdentifier in the records, in the same order.
	Configs     []string
	Identifiers []string
	Records     []BedrockRecord
}

// BedrockExportConfig says what to export and how to redact it.
type BedrockExportConfig struct {
	// Run is the stored run; Items and Tickets its outputs and tickets
	// (Store.EvalItems, Store.FindEvalTicket). Required.
	Run     *eval.Run
	Items   []eval.Item
	Tickets map[string]*ticketsum.Ticket
	// Human makes datasets for a human evaluation job, which compares two
	// inference sources: one dataset per pair of configurations. Default
	// false: one dataset per configuration, for LLM-as-judge jobs, which
	// take one inference source.
	Human bool
	// Redact and Check work as in FinetuneConfig: the prompt leaves the
	// process only redacted, and a record in which Check still finds
	// personal data is left out. Required.
	Redact func(ctx context.Context, t *ticketsum.Ticket, text string) (string, error)
	Check  func(ctx context.Context, t *ticketsum.Ticket, text string) ([]string, error)
}

// BedrockExport is what ExportBedrock made and what it left out.
type BedrockExport struct {
	Datasets []BedrockDataset
	Skipped  []SkippedRecord
}

// bedrockPrompt asks for the summary the configurations wrote.
const bedrockPrompt = "Summarise this support ticket in one paragraph of at most 60 words: the customer's issue, what the agent did, and whether it is resolved.\n\n"

var identRE = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// BedrockIdentifier turns a configuration name into a modelIdentifier
// Bedrock accepts ([a-zA-Z0-9][a-zA-Z0-9._-]{0,255}).
func BedrockIdentifier(config string) string {
	s := strings.Trim(identRE.ReplaceAllString(config, "_"), "._-")
	if s == "" {
		s = "config"
	}
	return s[:min(len(s), 256)]
}

// ExportBedrock builds the prompt datasets of a stored run for Amazon
// Bedrock Model Evaluation jobs: per configuration (or pair, for human
// jobs), the redacted ticket as the prompt, the first reference summary,
// the product line as category and the configuration's summary as a
// precomputed response; split at MaxBedrockPrompts. Tickets without a
// summary from every configuration of a dataset are left out of it. It
// returns EINVALID when the run kept no outputs or no record can be made.
func ExportBedrock(ctx context.Context, cfg BedrockExportConfig) (*BedrockExport, error) {
	if cfg.Run == nil || cfg.Redact == nil || cfg.Check == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bedrock export: the run, Redact and Check are required")
	}
	if len(cfg.Items) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s kept no summaries to export; run eval again", cfg.Run.ID)
	}
	var configs []string
	answers := map[string]map[string]string{} // ticket -> config -> summary
	var order []string
	for _, it := range cfg.Items {
		if !slices.Contains(configs, it.Config) {
			configs = append(configs, it.Config)
		}
		if answers[it.TicketID] == nil {
			answers[it.TicketID] = map[string]string{}
			order = append(order, it.TicketID)
		}
		if it.Error == "" && strings.TrimSpace(it.Summary) != "" {
			answers[it.TicketID][it.Config] = it.Summary
		}
	}
	groups := [][]string{}
	if cfg.Human {
		for _, p := range pairs(candidatesOf(configs)) {
			groups = append(groups, []string{p[0].Config, p[1].Config})
		}
	} else {
		for _, c := range configs {
			groups = append(groups, []string{c})
		}
	}
	out := &BedrockExport{}
	prompts, err := cfg.prompts(ctx, order, out)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out.Datasets = append(out.Datasets, bedrockDatasets(cfg.Run.ID, g, order, prompts, answers, cfg.Tickets)...)
	}
	if len(out.Datasets) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval run %s has no ticket to export: every ticket lacks a summary or still holds personal data after redaction (%d skipped)", cfg.Run.ID, len(out.Skipped))
	}
	return out, nil
}

// candidatesOf wraps configuration names for pairs.
func candidatesOf(configs []string) []Candidate {
	var cs []Candidate
	for _, c := range configs {
		cs = append(cs, Candidate{Config: c})
	}
	return cs
}

// prompts renders and redacts each ticket once; tickets that cannot be
// redacted clean are recorded as skipped.
func (cfg BedrockExportConfig) prompts(ctx context.Context, order []string, out *BedrockExport) (map[string]string, error) {
	prompts := map[string]string{}
	for _, id := range order {
		t := cfg.Tickets[id]
		if t == nil {
			out.Skipped = append(out.Skipped, SkippedRecord{TicketID: id, Reason: "the run kept no copy of the ticket"})
			continue
		}
		text, err := cfg.Redact(ctx, t, bedrockPrompt+Transcript(t))
		if err != nil {
			if ticketsum.ErrorCodeOf(err) == ticketsum.EUNAVAILABLE {
				return nil, fmt.Errorf("redact ticket %s: %w", id, err)
			}
			out.Skipped = append(out.Skipped, SkippedRecord{TicketID: id, Reason: "redaction refused: " + ticketsum.ErrorMessage(err)})
			continue
		}
		kinds, err := cfg.Check(ctx, t, text)
		if err != nil {
			return nil, fmt.Errorf("check redacted ticket %s: %w", id, err)
		}
		if len(kinds) > 0 {
			out.Skipped = append(out.Skipped, SkippedRecord{TicketID: id, Reason: "personal data remains after redaction: " + strings.Join(kinds, ", ")})
			continue
		}
		prompts[id] = text
	}
	return prompts, nil
}

// bedrockDatasets makes the datasets of one group of configurations.
func bedrockDatasets(runID string, group, order []string, prompts map[string]string, answers map[string]map[string]string, tickets map[string]*ticketsum.Ticket) []BedrockDataset {
	var ids []string
	for _, c := range group {
		ids = append(ids, BedrockIdentifier(c))
	}
	var recs []BedrockRecord
	for _, id := range order {
		p, ok := prompts[id]
		if !ok {
			continue
		}
		rec := BedrockRecord{Prompt: p, Category: tickets[id].ProductLine}
		if refs := tickets[id].References; len(refs) > 0 {
			rec.ReferenceResponse = refs[0]
		}
		for i, c := range group {
			if s, ok := answers[id][c]; ok {
				rec.ModelResponses = append(rec.ModelResponses, BedrockResponse{Response: s, ModelIdentifier: ids[i]})
			}
		}
		if len(rec.ModelResponses) == len(group) {
			recs = append(recs, rec)
		}
	}
	var out []BedrockDataset
	for part := 0; part*MaxBedrockPrompts < len(recs); part++ {
		end := min((part+1)*MaxBedrockPrompts, len(recs))
		name := fmt.Sprintf("%s-%s-%d.jsonl", BedrockIdentifier(runID), strings.Join(ids, "-vs-"), part+1)
		out = append(out, BedrockDataset{Name: name, Configs: group, Identifiers: ids, Records: recs[part*MaxBedrockPrompts : end]})
	}
	return out
}

// WriteJSONL writes the dataset as JSON Lines, one record a line.
func (d *BedrockDataset) WriteJSONL(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range d.Records {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write bedrock dataset %s: %w", d.Name, err)
		}
	}
	return nil
}

// BedrockExportOf loads a stored run ("latest" for the newest) with its
// outputs and tickets into an export config; the caller adds Redact, Check
// and Human.
func (s *Service) BedrockExportOf(ctx context.Context, run string) (BedrockExportConfig, error) {
	r, err := s.FindRun(ctx, run)
	if err != nil {
		return BedrockExportConfig{}, err
	}
	items, err := s.cfg.Store.EvalItems(ctx, r.ID)
	if err != nil {
		return BedrockExportConfig{}, err
	}
	tickets := map[string]*ticketsum.Ticket{}
	for _, it := range items {
		if _, ok := tickets[it.TicketID]; ok {
			continue
		}
		t, err := s.cfg.Store.FindEvalTicket(ctx, r.ID, it.TicketID)
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
			return BedrockExportConfig{}, err
		}
		tickets[it.TicketID] = t
	}
	return BedrockExportConfig{Run: r, Items: items, Tickets: tickets}, nil
}
