package web_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/ticketsum/ticketsum"
)

// memStore is an in-memory ticketsum.Store for handler tests.
type memStore struct {
	mu        sync.Mutex
	tickets   map[string]*ticketsum.Ticket
	summaries map[string][]*ticketsum.Summary // oldest first; the last is current
	nextID    int64
}

var _ ticketsum.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{tickets: map[string]*ticketsum.Ticket{}, summaries: map[string][]*ticketsum.Summary{}}
}

func (m *memStore) UpsertTicket(_ context.Context, t *ticketsum.Ticket) (bool, error) {
	if err := t.Validate(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.tickets[t.ID]
	cp := *t
	m.tickets[t.ID] = &cp
	return !ok || old.ContentHash() != t.ContentHash(), nil
}

func (m *memStore) FindTicket(_ context.Context, id string) (*ticketsum.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tickets[id]
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s not found", id)
	}
	cp := *t
	return &cp, nil
}

func (m *memStore) ListTickets(_ context.Context, f ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []ticketsum.TicketView
	for _, t := range m.tickets {
		v := ticketsum.TicketView{Ticket: t}
		if ss := m.summaries[t.ID]; len(ss) > 0 {
			v.Current = ss[len(ss)-1]
			v.Stale = v.Current.ContentHash != t.ContentHash()
		}
		if f.ProductLine != "" && t.ProductLine != f.ProductLine {
			continue
		}
		if f.Status != "" && (v.Current == nil || v.Current.Status != f.Status) {
			continue
		}
		if q := strings.ToLower(f.Query); q != "" && !strings.Contains(strings.ToLower(t.ID+" "+t.Subject), q) {
			continue
		}
		all = append(all, v)
	}
	slices.SortFunc(all, func(a, b ticketsum.TicketView) int {
		if c := b.Ticket.UpdatedAt.Compare(a.Ticket.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Ticket.ID, b.Ticket.ID)
	})
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	total := len(all)
	lo := min(f.Offset, total)
	hi := min(lo+limit, total)
	return all[lo:hi], total, nil
}

func (m *memStore) SaveSummary(_ context.Context, s *ticketsum.Summary) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tickets[s.TicketID]; !ok {
		return false, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s not found", s.TicketID)
	}
	ss := m.summaries[s.TicketID]
	for i, old := range ss {
		if old.ContentHash == s.ContentHash && old.Model == s.Model && old.PromptVersion == s.PromptVersion {
			s.ID = old.ID
			m.summaries[s.TicketID] = append(append(ss[:i:i], ss[i+1:]...), old)
			return false, nil
		}
	}
	m.nextID++
	s.ID = m.nextID
	cp := *s
	m.summaries[s.TicketID] = append(ss, &cp)
	return true, nil
}

func (m *memStore) CurrentSummary(_ context.Context, id string) (*ticketsum.Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ss := m.summaries[id]
	if len(ss) == 0 {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s has no summary", id)
	}
	return ss[len(ss)-1], nil
}

func (m *memStore) SummaryHistory(_ context.Context, id string) ([]*ticketsum.Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ss := m.summaries[id]
	out := make([]*ticketsum.Summary, 0, len(ss))
	for i := len(ss) - 1; i >= 0; i-- {
		out = append(out, ss[i])
	}
	return out, nil
}

// errStore fails every call with err.
type errStore struct{ err error }

var _ ticketsum.Store = errStore{}

func (e errStore) UpsertTicket(context.Context, *ticketsum.Ticket) (bool, error) { return false, e.err }
func (e errStore) FindTicket(context.Context, string) (*ticketsum.Ticket, error) { return nil, e.err }
func (e errStore) ListTickets(context.Context, ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	return nil, 0, e.err
}
func (e errStore) SaveSummary(context.Context, *ticketsum.Summary) (bool, error) { return false, e.err }
func (e errStore) CurrentSummary(context.Context, string) (*ticketsum.Summary, error) {
	return nil, e.err
}
func (e errStore) SummaryHistory(context.Context, string) ([]*ticketsum.Summary, error) {
	return nil, e.err
}
