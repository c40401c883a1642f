package plan

import (
	"math"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
)

// Workload is what the summariser has to do.
type Workload struct {
	// TicketsPerWeek is the number of tickets summarised a week.
	TicketsPerWeek float64 `json:"tickets_per_week"`
	// PeakHourTickets is the number of tickets in the busiest hour. Zero
	// means the default estimate: twice the average hour of a 40-hour week.
	PeakHourTickets float64 `json:"peak_hour_tickets"`
	// InputTokens is the prompt tokens per ticket, rendered prompt included.
	InputTokens float64 `json:"input_tokens_per_ticket"`
	// OutputTokens is the summary tokens per ticket.
	OutputTokens float64 `json:"output_tokens_per_ticket"`
	// StaticPromptTokens is the part of InputTokens that is the same for
	// every ticket (instructions, tone guide, examples): what prompt caching
	// can cache. Default 0.
	StaticPromptTokens float64 `json:"static_prompt_tokens,omitempty"`
	// BackfillTickets is a one-off backlog to summarise, priced on batch.
	// Default 0.
	BackfillTickets float64 `json:"backfill_tickets,omitempty"`
	// Source says where the figures come from ("given", or what was
	// measured).
	Source string `json:"source"`
}

// validate checks the figures and fills the peak-hour default.
func (w *Workload) validate() error {
	for name, v := range map[string]float64{
		"tickets per week": w.TicketsPerWeek, "peak hour tickets": w.PeakHourTickets,
		"input tokens": w.InputTokens, "output tokens": w.OutputTokens,
		"static prompt tokens": w.StaticPromptTokens, "backfill tickets": w.BackfillTickets,
	} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return ticketsum.Errorf(ticketsum.EINVALID, "workload: %s must be a number of zero or more, got %v", name, v)
		}
	}
	if w.StaticPromptTokens > w.InputTokens {
		return ticketsum.Errorf(ticketsum.EINVALID, "workload: static prompt tokens (%v) exceed input tokens per ticket (%v)", w.StaticPromptTokens, w.InputTokens)
	}
	if w.PeakHourTickets == 0 {
		w.PeakHourTickets = 2 * w.TicketsPerWeek / 40
	}
	if w.Source == "" {
		w.Source = "given"
	}
	return nil
}

// MeasureOptions says how Measure counts tokens.
type MeasureOptions struct {
	// InputTokens returns a ticket's prompt tokens after rendering the
	// current prompt, with the provider's counter where there is one.
	// Default: EstimateInputTokens with PromptTokens.
	InputTokens func(*ticketsum.Ticket) int
	// PromptTokens is the rendered prompt's own size (instructions and
	// examples) for the default estimate. Default 600.
	PromptTokens int
	// OutputTokens is used when there are no recorded summaries. Default
	// 100 (a 60-word summary is about 80 tokens).
	OutputTokens int
}

// EstimateInputTokens estimates a ticket's prompt tokens without a
// tokenizer: a token per four bytes of the ticket's text, plus promptTokens
// for the rendered instructions.
func EstimateInputTokens(t *ticketsum.Ticket, promptTokens int) int {
	return (t.Size()+3)/4 + promptTokens
}

// Measure derives a workload from tickets and recorded summaries: tickets a
// week over the span of their creation times, the busiest clock hour,
// input tokens per ticket (mean) and output tokens per summary (mean of the
// usage recorded, else of the summary text). Tickets without a creation
// time count for the tokens, not the volume, and Source says how many. It
// returns EINVALID when there are no tickets, none has a creation time or
// their creation times span no time.
func Measure(tickets []*ticketsum.Ticket, summaries []*ticketsum.Summary, opts MeasureOptions) (Workload, error) {
	if len(tickets) == 0 {
		return Workload{}, ticketsum.Errorf(ticketsum.EINVALID, "plan: no tickets to measure the workload from: import tickets (ticketsum import FILE), measure a file with --from FILE, or give --tickets-per-week N --input-tokens I --output-tokens O")
	}
	if opts.PromptTokens <= 0 {
		opts.PromptTokens = 600
	}
	if opts.OutputTokens <= 0 {
		opts.OutputTokens = 100
	}
	if opts.InputTokens == nil {
		opts.InputTokens = func(t *ticketsum.Ticket) int { return EstimateInputTokens(t, opts.PromptTokens) }
	}
	var first, last time.Time
	hours := map[time.Time]int{}
	input, timed := 0, 0
	for _, t := range tickets {
		input += opts.InputTokens(t)
		at := created(t)
		if at.IsZero() {
			continue
		}
		timed++
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
		hours[at.UTC().Truncate(time.Hour)]++
	}
	if timed == 0 {
		return Workload{}, ticketsum.Errorf(ticketsum.EINVALID, "plan: none of the %d tickets has a creation time (created_at or a message time) to measure volume from: give the volume with --tickets-per-week N --input-tokens I --output-tokens O", len(tickets))
	}
	span := last.Sub(first)
	if span < time.Hour {
		return Workload{}, ticketsum.Errorf(ticketsum.EINVALID, "plan: the %d tickets were created within %s: give tickets spanning at least a day, or the volume as figures", timed, span.Round(time.Second))
	}
	peak := 0
	for _, n := range hours {
		peak = max(peak, n)
	}
	out, n := 0, 0
	for _, s := range summaries {
		switch {
		case s.Usage.OutputTokens > 0:
			out += s.Usage.OutputTokens
		case s.Text != "":
			out += (len(s.Text) + 3) / 4
		default:
			continue
		}
		n++
	}
	w := Workload{
		TicketsPerWeek:  float64(timed) / (span.Hours() / (7 * 24)),
		PeakHourTickets: float64(peak),
		InputTokens:     float64(input) / float64(len(tickets)),
		OutputTokens:    float64(opts.OutputTokens),
	}
	w.Source = "measured from " + itoa(timed) + " tickets over " + span.Round(time.Hour).String()
	if n > 0 {
		w.OutputTokens = float64(out) / float64(n)
		w.Source += " and " + itoa(n) + " recorded summaries"
	} else {
		w.Source += "; output tokens estimated (no recorded summaries)"
	}
	if untimed := len(tickets) - timed; untimed > 0 {
		w.Source += "; " + itoa(untimed) + " more tickets without a creation time count for tokens, not volume"
	}
	return w, nil
}

func created(t *ticketsum.Ticket) time.Time {
	if !t.CreatedAt.IsZero() {
		return t.CreatedAt
	}
	for _, m := range t.Messages {
		if !m.At.IsZero() {
			return m.At
		}
	}
	return time.Time{}
}
