package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Reservation is budget held for one call until it is settled.
type Reservation struct {
	ID        string
	Principal string
	Period    string
	Micros    int64
	CreatedAt time.Time
	// RequestID is the call's CallMeta.RequestID, by which a reservation
	// left open by a dead process is matched to its recorded call.
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
// checked against the budget and recorded, durably and atomically across
// processes, in the next group commit of the process's ledger; the caller
// waits for that commit and nothing else.
func (s *Service) ReserveFor(ctx context.Context, p *Principal, maxCostUSD float64, requestID string) (*Reservation, error) {
	if maxCostUSD < 0 || maxCostUSD != maxCostUSD || maxCostUSD > 1e9 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "cost estimate %v is not a valid amount", maxCostUSD)
	}
	var id [12]byte
	rand.Read(id[:])
	now := s.cfg.Clock.Now().UTC()
	r := &Reservation{ID: hex.EncodeToString(id[:]), Principal: p.Name, Period: Period(now), Micros: usdToMicros(maxCostUSD),
		CreatedAt: now, RequestID: requestID}
	ok, err := s.ledger.reserveWait(ctx, ReserveOp{R: r, Limit: usdToMicros(p.MonthlyBudgetUSD)})
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

// Settle releases r and charges the call's real cost. The settlement is
// queued for the next group commit and Settle returns at once; Spend,
// Budgets and Flush see it.
func (s *Service) Settle(ctx context.Context, r *Reservation, actualUSD float64) error {
	if r == nil {
		return errors.New("settle: nil reservation")
	}
	s.ledger.settleLater(SettleOp{R: r, Actual: usdToMicros(actualUSD)})
	return nil
}

// Flush waits until every reservation and settlement queued so far is
// written, or ctx ends.
func (s *Service) Flush(ctx context.Context) error { return s.ledger.flush(ctx) }

// ReleaseStaleReservations closes the reservations older than olderThan,
// which only a process that died between reserve and settle leaves. Each
// is settled against the cost of the calls recorded under its request id
// (Config.PaidCalls), so a call that was paid is charged; one without a
// recorded call is released uncharged. Where several stale reservations
// share a request id, the recorded cost is charged once. It returns how
// many it closed.
func (s *Service) ReleaseStaleReservations(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "olderThan must be positive")
	}
	stale, err := s.cfg.Store.StaleReservations(ctx, s.cfg.Clock.Now().Add(-olderThan))
	if err != nil || len(stale) == 0 {
		return 0, err
	}
	paid := map[string]int64{}
	if s.cfg.PaidCalls != nil {
		var ids []string
		for _, r := range stale {
			if r.RequestID != "" {
				ids = append(ids, r.RequestID)
			}
		}
		if paid, err = s.cfg.PaidCalls.CostByRequest(ctx, ids); err != nil {
			return 0, err // keep them held rather than release paid calls uncharged
		}
	}
	b := &BudgetBatch{}
	var charged int64
	for _, r := range stale {
		actual := paid[r.RequestID]
		delete(paid, r.RequestID) // charged once per request id
		charged += actual
		b.Settle = append(b.Settle, SettleOp{R: r, Actual: actual})
	}
	if err := s.cfg.Store.CommitBudget(ctx, b); err != nil {
		return 0, err
	}
	s.cfg.Logger.Warn("settled budget reservations left by a stopped process", "count", len(stale), "charged_usd", microsToUSD(charged))
	return len(stale), nil
}

// Run sweeps stale reservations (Config.StaleAfter) at start and every
// Config.SweepEvery until ctx ends, then flushes the ledger.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.SweepEvery)
	defer t.Stop()
	for {
		if _, err := s.ReleaseStaleReservations(ctx, s.cfg.StaleAfter); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("sweep stale budget reservations", "err", err)
		}
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
// after writing this process's queued settlements.
func (s *Service) Spend(ctx context.Context, principal string) (spent, reserved float64, err error) {
	if err := s.Flush(ctx); err != nil {
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

// Budgets returns every principal's budget status for the current month,
// ordered by principal.
func (s *Service) Budgets(ctx context.Context) ([]BudgetStatus, error) {
	if err := s.Flush(ctx); err != nil {
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
