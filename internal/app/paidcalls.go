package app

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
)

// trailPaidCalls reads the cost of recorded model calls from the audit
// trail's invocation events, so that the access service settles a budget
// reservation left by a dead process against the call it paid for.
type trailPaidCalls struct {
	db *sql.DB
	d  access.Dialect
}

var _ access.PaidCalls = trailPaidCalls{}

// CostByRequest implements access.PaidCalls. It runs only for the rare
// stale reservations, one query per request id.
func (p trailPaidCalls) CostByRequest(ctx context.Context, ids []string) (map[string]int64, error) {
	q := p.d.Rebind(`SELECT COUNT(*), COALESCE(SUM(cost_micros), 0) FROM audit_records
		WHERE request_id = ? AND kind = ? AND outcome = 'success'`)
	out := map[string]int64{}
	for _, id := range ids {
		var n, micros int64
		if err := p.db.QueryRowContext(ctx, q, id, audit.KindInvocation).Scan(&n, &micros); err != nil {
			return nil, fmt.Errorf("recorded cost of request %s: %w", id, err)
		}
		if n > 0 {
			out[id] = micros
		}
	}
	return out, nil
}
