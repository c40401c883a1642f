package access_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	svc, _, _ := MustService(b)
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1e6})
	raw, _, _ := svc.CreateKey(ctx, "admin", "team-a", 0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Authenticate(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddlewareSQLite measures the access overhead of one call:
// principal lookup, approval and allow-list check, reserve and settle.
func BenchmarkMiddlewareSQLite(b *testing.B) {
	ctx := context.Background()
	svc, _, _ := MustService(b)
	svc.ApproveModel(ctx, "admin", haiku, "")
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1e6})
	m := access.Middleware(svc, fixedEstimate(0.01))(&fakeModel{name: haiku, cost: 0.001})
	req := &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Generate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
