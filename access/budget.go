package access

import (
	"context"
	"errors"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Reservation is budget held for one call until it is settled: in memory,
// from this process's lease on the principal's month.
type Reservation struct {
	Principal string
	Period    string
	Micros    int64
	CreatedAt time.Time
	// RequestID is the call's CallMeta.RequestID.
	RequestID string
}

// Period returns the budget period (calendar month, UTC) of t: "2026-11".
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// Reserve holds maxCostUSD of p's monthly budget. It returns EQUOTA
// "monthly budget of $X for <principal> is spent" when the reservation does
// not fit, and EINVALID for a negative or non-finite cost.
func (s *Service) Reserve(ctx context.Context, p *Principal, maxCostUSD float64) (*Reservation, error) {
	return s.ReserveFor(ctx, p, maxCostUSD, "")
}

// ReserveFor is Reserve for the call with requestID. The reservation is
// taken in memory from this process's lease on the principal's month;
// when the lease has too little headroom the caller waits for one durable
// write that extends it (Config.LeaseFraction of the budget at a time,
// within the budget across every process).
func (s *Service) ReserveFor(ctx context.Context, p *Principal, maxCostUSD float64, requestID string) (*Reservation, error) {
	if maxCostUSD < 0 || maxCostUSD != maxCostUSD || maxCostUSD > 1e9 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "cost estimate %v is not a valid amount", maxCostUSD)
	}
	now := s.cfg.Clock.Now().UTC()
	r := &Reservation{Principal: p.Name, Period: Period(now), Micros: usdToMicros(maxCostUSD), CreatedAt: now, RequestID: requestID}
	ok, err := s.ledger.reserve(ctx, budgetKey{r.Principal, r.Period}, r.Micros, usdToMicros(p.MonthlyBudgetUSD))
	if err != nil {
		return nil, err
	}
	if !ok {
		fix := s.fix(p, "monthly_budget_usd", "--budget "+formatUSD(max(1, 2*p.MonthlyBudgetUSD)))
		return nil, ticketsum.Errorf(ticketsum.EQUOTA, "monthly budget of $%s for principal %s is spent for %s (rule: principal monthly budget; this call may cost up to $%s): to raise it, %s",
			formatUSD(p.MonthlyBudgetUSD), p.Name, r.Period, formatUSD(maxCostUSD), fix)
	}
	return r, nil
}

// Settle releases r and charges the call's real cost, in memory; the
// charge is written by the next group commit (the ledger's, or the audit
// trail's that records the call, see Stage). Spend, Budgets and Flush
// write it first.
func (s *Service) Settle(ctx context.Context, r *Reservation, actualUSD float64) error {
	if r == nil {
		return errors.New("settle: nil reservation")
	}
	s.ledger.settle(budgetKey{r.Principal, r.Period}, r.Micros, usdToMicros(actualUSD))
	return nil
}

// Flush hands back the headroom of this process's leases that no call
// holds and waits until that and every settlement queued so far are
// written, or ctx ends. A process that stops or freezes (a Lambda between
// invocations) leaves only what calls in flight hold.
func (s *Service) Flush(ctx context.Context) error {
	s.ledger.releaseIdle(time.Time{})
	return s.ledger.flush(ctx)
}

// ReleaseStaleLeases releases the budget leases not renewed for olderThan,
// which only a process that stopped without handing them back (killed,
// or cut off from the database) leaves; it returns how many it released.
// A lease holds headroom, not spend: the calls its process settled were
// charged by the flushes that wrote them (with their trail records, see
// Stage), so releasing it charges nothing.
func (s *Service) ReleaseStaleLeases(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "olderThan must be positive")
	}
	before := s.cfg.Clock.Now().Add(-olderThan)
	stale, err := s.cfg.Store.StaleLeases(ctx, before)
	if err != nil || len(stale) == 0 {
		return 0, err
	}
	n := 0
	var released int64
	for _, l := range stale {
		ok, err := s.cfg.Store.ReleaseLease(ctx, l.ID, before)
		if err != nil {
			return n, err
		}
		if ok {
			n++
			released += l.Micros
		}
	}
	if n > 0 {
		s.cfg.Logger.Warn("released budget leases left by a stopped process", "count", n, "released_usd", microsToUSD(released))
	}
	return n, nil
}

// Run maintains this process's leases until ctx ends: every
// Config.LeaseIdle it hands back the headroom of leases unused that long
// and writes settlements still queued; every Config.StaleAfter/4 it
// renews its leases; every Config.SweepEvery (and at start) it releases
// stale leases of other processes. When ctx ends it flushes (Flush).
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.LeaseIdle)
	defer t.Stop()
	var swept, renewed time.Time
	for {
		now := s.cfg.Clock.Now()
		if now.Sub(swept) >= s.cfg.SweepEvery {
			swept = now
			if _, err := s.ReleaseStaleLeases(ctx, s.cfg.StaleAfter); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Error("sweep stale budget leases", "err", err)
			}
		}
		if now.Sub(renewed) >= s.cfg.StaleAfter/4 {
			renewed = now
			if err := s.cfg.Store.RenewLeases(ctx, s.ledger.holder, now); err != nil {
				if ctx.Err() == nil {
					s.cfg.Logger.Error("renew budget leases", "err", err)
				}
			} else {
				s.ledger.renewedAll(now)
			}
		}
		s.ledger.releaseIdle(now.Add(-s.cfg.LeaseIdle))
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			return s.Flush(fctx)
		case <-t.C:
		}
	}
}

// Spend returns principal's spent and reserved USD in the current month,
// after writing this process's queued settlements and releasing stale
// leases (see settled).
func (s *Service) Spend(ctx context.Context, principal string) (spent, reserved float64, err error) {
	if err := s.settled(ctx); err != nil {
		return 0, 0, err
	}
	b, err := s.cfg.Store.Budget(ctx, principal, Period(s.cfg.Clock.Now()))
	return microsToUSD(b.SpentMicros), microsToUSD(b.ReservedMicros), err
}

// BudgetStatus is a principal's budget and spend this month, for the
// governance page and "ticketsum principals list".
type BudgetStatus struct {
	Principal        string  `json:"principal"`
	MonthlyBudgetUSD float64 `json:"monthly_budget_usd"`
	SpentUSD         float64 `json:"spent_usd"`
	ReservedUSD      float64 `json:"reserved_usd"`
	Period           string  `json:"period"`
}

// settled writes this process's queued settlements and releases the
// leases of stopped processes (unrenewed for Config.StaleAfter), so that
// a budget view shows what is spent and held now. Before, a dead
// process's lease showed as reserved until the sweep of a process running
// Run, which only processes with governance open for governed calls do
// (serve, a worker on a model other than the built-in one): with none
// running, until the next one started, however long after StaleAfter.
func (s *Service) settled(ctx context.Context) error {
	if err := s.Flush(ctx); err != nil {
		return err
	}
	_, err := s.ReleaseStaleLeases(ctx, s.cfg.StaleAfter)
	return err
}

// Budgets returns every principal's budget status for the current month,
// ordered by principal, after releasing stale leases (see settled).
func (s *Service) Budgets(ctx context.Context) ([]BudgetStatus, error) {
	if err := s.settled(ctx); err != nil {
		return nil, err
	}
	ps, err := s.cfg.Store.ListPrincipals(ctx)
	if err != nil {
		return nil, err
	}
	period := Period(s.cfg.Clock.Now())
	out := make([]BudgetStatus, 0, len(ps))
	for _, p := range ps {
		b, err := s.cfg.Store.Budget(ctx, p.Name, period)
		if err != nil {
			return nil, err
		}
		out = append(out, BudgetStatus{Principal: p.Name, MonthlyBudgetUSD: p.MonthlyBudgetUSD,
			SpentUSD: microsToUSD(b.SpentMicros), ReservedUSD: microsToUSD(b.ReservedMicros), Period: period})
	}
	return out, nil
}
