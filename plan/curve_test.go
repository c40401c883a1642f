package plan_test

import (
	"testing"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/plan"
)

func TestCostCurve(t *testing.T) {
	t.Parallel()
	cfg := plan.Config{Catalogue: MustCatalogue(t), Models: []string{sonnet, titan}}
	series, err := plan.CostCurve(cfg, seed(), []float64{0, 4000, 8000, 16000})
	if err != nil {
		t.Fatal(err)
	}
	find := func(model, surface string) plan.Series {
		for _, s := range series {
			if s.Model == model && s.Surface == surface {
				return s
			}
		}
		t.Fatalf("no series %s %s in %d series", model, surface, len(series))
		return plan.Series{}
	}
	od := find(sonnet, plan.OnDemand)
	if len(od.Points) != 4 || od.Points[0].WeeklyCostUSD != 0 || !near(od.Points[1].WeeklyCostUSD, 36) ||
		!near(od.Points[2].WeeklyCostUSD, 72) || !near(od.Points[3].WeeklyCostUSD, 144) {
		t.Fatalf("on-demand curve = %+v, want 0, 36, 72, 144", od.Points)
	}
	pt := find(titan, plan.Provisioned+"/"+plan.TermSixMonth)
	for _, p := range pt.Points {
		if !near(p.WeeklyCostUSD, 14.80*168) {
			t.Fatalf("provisioned curve not flat: %+v", pt.Points)
		}
	}
	if _, err := plan.CostCurve(cfg, seed(), []float64{-1}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("negative volume: %v", err)
	}
}
