package access

import (
	"fmt"
	"math"
)

// Money is handled in integer micro-dollars (1e-6 USD) everywhere it is
// stored or compared, so that sums are exact and SQL comparisons atomic.

// usdToMicros converts dollars to micro-dollars, rounding up so that a
// reservation never under-counts.
func usdToMicros(usd float64) int64 {
	if usd <= 0 || usd != usd {
		return 0
	}
	return int64(math.Ceil(usd*1e6 - 1e-6))
}

// microsToUSD converts micro-dollars to dollars.
func microsToUSD(m int64) float64 { return float64(m) / 1e6 }

func formatUSD(usd float64) string {
	if usd >= 1 || usd == 0 {
		return fmt.Sprintf("%.2f", usd)
	}
	return fmt.Sprintf("%.4f", usd)
}
