package review

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// Service holds the review logic: tasks and ratings, the queue, sampling,
// edits and regeneration. It is safe for concurrent use.
type Service struct {
	cfg Config

	mu  sync.Mutex
	rng *rand.Rand
}

// New returns a Service for cfg with defaults filled in, or an EINVALID
// error naming the bad field.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}, nil
}

// OnSummarySaved is the hook the worker calls after it stored a new
// summary (SaveSummary reported created): it queues every summary the
// quality checks flagged (see QualityFlags; reason "flagged: " and the
// flags), whatever the share, and samples Config.SampleShare of the others
// (reason "sampled"), and reports whether s was queued. The summary must
// carry its stored ID.
func (s *Service) OnSummarySaved(ctx context.Context, sum *ticketsum.Summary) (bool, error) {
	if sum == nil || sum.ID == 0 || sum.TicketID == "" {
		return false, ticketsum.Errorf(ticketsum.EINVALID, "review: a sampled summary needs its ticket and stored id")
	}
	if flags := QualityFlags(sum); len(flags) > 0 {
		return s.enqueue(ctx, sum, "flagged: "+strings.Join(flags, ", "))
	}
	if !Sampled(s.cfg.SampleShare, sum.TicketID, sum.ID) {
		return false, nil
	}
	return s.enqueue(ctx, sum, "sampled")
}

// EnqueueCurrent puts a ticket's current summary in the review queue (a
// reviewer asked to rate it) and returns its item.
func (s *Service) EnqueueCurrent(ctx context.Context, ticketID string) (*QueueItem, error) {
	sum, err := s.cfg.Tickets.CurrentSummary(ctx, ticketID)
	if err != nil {
		return nil, fmt.Errorf("current summary of ticket %s: %w", ticketID, err)
	}
	if _, err := s.enqueue(ctx, sum, "manual"); err != nil {
		return nil, err
	}
	return s.cfg.Store.FindQueueItem(ctx, sum.ID)
}

func (s *Service) enqueue(ctx context.Context, sum *ticketsum.Summary, reason string) (bool, error) {
	ok, err := s.cfg.Store.Enqueue(ctx, &QueueItem{
		SummaryID: sum.ID, TicketID: sum.TicketID, ContentHash: sum.ContentHash, Model: sum.Model,
		PromptVersion: sum.PromptVersion, Text: sum.Text, Status: sum.Status, Reason: reason, SampledAt: s.cfg.Clock.Now(), State: Pending,
	})
	if err != nil {
		return false, fmt.Errorf("queue summary %d of ticket %s: %w", sum.ID, sum.TicketID, err)
	}
	return ok, nil
}

// CheckEdit validates an edited summary: one paragraph of at most
// Config.MaxWords words, then Config.CheckEdit. It returns EINVALID with
// what to fix.
func (s *Service) CheckEdit(ctx context.Context, t *ticketsum.Ticket, text string) error {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary is empty")
	case !utf8.ValidString(text):
		return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary is not valid UTF-8")
	case strings.ContainsAny(text, "\n\r"):
		return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary must be one paragraph, without line breaks")
	}
	if n := len(strings.Fields(text)); n > s.cfg.MaxWords {
		return ticketsum.Errorf(ticketsum.EINVALID, "the edited summary has %d words; the limit is %d", n, s.cfg.MaxWords)
	}
	if s.cfg.CheckEdit != nil {
		if err := s.cfg.CheckEdit(ctx, t, text); err != nil {
			return fmt.Errorf("check edited summary: %w", err)
		}
	}
	return nil
}

// Decide records a reviewer's decision on the queue item of a summary. An
// Edited decision's text is validated by CheckEdit.
func (s *Service) Decide(ctx context.Context, summaryID int64, d Decision) (*QueueItem, error) {
	d.Reviewer = strings.TrimSpace(d.Reviewer)
	d.EditedText = strings.TrimSpace(d.EditedText)
	switch {
	case d.State != Approved && d.State != Rejected && d.State != Edited:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "a decision is approved, rejected or edited, not %q", truncate(string(d.State), 20))
	case d.Reviewer == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "give your name as reviewer")
	case len(d.Reviewer) > MaxRaterLength:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "reviewer name is longer than %d bytes", MaxRaterLength)
	case len(d.Comment) > MaxCommentLength:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "comment is longer than %d bytes", MaxCommentLength)
	case d.State != Edited && d.EditedText != "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "an edited text needs the edited decision")
	}
	item, err := s.cfg.Store.FindQueueItem(ctx, summaryID)
	if err != nil {
		return nil, err
	}
	if d.State == Edited {
		t, err := s.cfg.Tickets.FindTicket(ctx, item.TicketID)
		if err != nil {
			return nil, fmt.Errorf("load ticket %s: %w", item.TicketID, err)
		}
		if err := s.CheckEdit(ctx, t, d.EditedText); err != nil {
			return nil, err
		}
	}
	d.At = s.cfg.Clock.Now()
	if err := s.cfg.Store.Decide(ctx, summaryID, d); err != nil {
		return nil, fmt.Errorf("decide review of summary %d: %w", summaryID, err)
	}
	item.State, item.Reviewer, item.EditedText, item.Comment, item.DecidedAt = d.State, d.Reviewer, d.EditedText, d.Comment, d.At.UTC()
	return item, nil
}

// Regenerate asks Config.Regenerate for a new summary of ticketID, at most
// once per Config.RegenerateInterval per ticket across every server sharing
// the store. It returns ETHROTTLED when the ticket was regenerated too
// recently, ENOTFOUND for an unknown ticket and EUNAVAILABLE when no
// callback is configured.
func (s *Service) Regenerate(ctx context.Context, ticketID string) error {
	if s.cfg.Regenerate == nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "regenerating summaries is not configured on this server")
	}
	if _, err := s.cfg.Tickets.FindTicket(ctx, ticketID); err != nil {
		return fmt.Errorf("load ticket %s: %w", ticketID, err)
	}
	now := s.cfg.Clock.Now()
	ok, prev, err := s.cfg.Store.TakeRegenerate(ctx, ticketID, now, s.cfg.RegenerateInterval)
	if err != nil {
		return err
	}
	if !ok {
		wait := prev.Add(s.cfg.RegenerateInterval).Sub(now).Round(time.Second)
		return ticketsum.Errorf(ticketsum.ETHROTTLED, "ticket %s was regenerated %s ago; try again in %s", ticketID, now.Sub(prev).Round(time.Second), max(wait, time.Second))
	}
	if err := s.cfg.Regenerate(ctx, ticketID); err != nil {
		if rerr := s.cfg.Store.ReleaseRegenerate(ctx, ticketID, now, prev); rerr != nil {
			s.cfg.Logger.ErrorContext(ctx, "release regeneration", "ticket", ticketID, "err", rerr)
		}
		return fmt.Errorf("regenerate ticket %s: %w", ticketID, err)
	}
	return nil
}

// Rate validates and stores ratings of one task.
func (s *Service) Rate(ctx context.Context, taskID string, rs []*Rating) error {
	t, err := s.cfg.Store.FindTask(ctx, taskID)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now().UTC()
	for _, r := range rs {
		r.TaskID = taskID
		r.Rater = strings.TrimSpace(r.Rater)
		if err := r.Check(t); err != nil {
			return err
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now
		}
	}
	if len(rs) == 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "no rating given")
	}
	return s.cfg.Store.SaveRatings(ctx, rs)
}

// Task returns the task with id.
func (s *Service) Task(ctx context.Context, id string) (*Task, error) {
	return s.cfg.Store.FindTask(ctx, id)
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.cfg.Store }

// Queue returns the queue items matching f with their tickets' subjects,
// oldest first, and their total. A ticket deleted since leaves the subject
// empty.
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]*QueueItem, int, error) {
	items, total, err := s.cfg.Store.ListQueue(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for _, q := range items {
		t, err := s.cfg.Tickets.FindTicket(ctx, q.TicketID)
		switch {
		case err == nil:
			q.Subject = t.Subject
		case ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND:
			return nil, 0, fmt.Errorf("load ticket %s: %w", q.TicketID, err)
		}
	}
	return items, total, nil
}

// OnSaved is OnSummarySaved for a pipeline's OnSaved hook: it samples the
// summary into the review queue and logs a failure (ids and codes only)
// instead of returning it, since the summary itself is saved. Every
// process that saves summaries (worker, watch, backfill, serve, Lambda)
// attaches it.
func (s *Service) OnSaved(ctx context.Context, sum *ticketsum.Summary) {
	if _, err := s.OnSummarySaved(ctx, sum); err != nil {
		id := ""
		if sum != nil {
			id = sum.TicketID
		}
		s.cfg.Logger.WarnContext(ctx, "sample summary for review", "ticket_id", id, "code", string(ticketsum.ErrorCodeOf(err)))
	}
}
