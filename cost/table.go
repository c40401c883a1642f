package cost

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes the catalogue's models as a text table, for
// `ticketsum models`: name, family, context window, max output, caching
// (with its minimum tokens), prices per million tokens with unverified ones
// marked *, the prices' region, today's lifecycle state and the effective
// date; then the guardrail prices.
func WriteTable(w io.Writer, c *Catalogue) error {
	now := c.cfg.Clock.Now()
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFAMILY\tCONTEXT\tMAX OUT\tCACHE\tINPUT\tOUTPUT\tCACHE READ\tCACHE WRITE\tBATCH\tREGION\tSTATE\tEFFECTIVE")
	for _, e := range c.Models() {
		mark := ""
		if !e.Verified {
			mark = "*"
		}
		cache, cr, cw := "no", "-", "-"
		if e.PromptCaching {
			cache = fmt.Sprintf("yes (>=%d)", e.CacheMinTokens)
		}
		if e.CacheRead != nil {
			cr = fmt.Sprintf("%g%s", *e.CacheRead, mark)
		}
		if e.CacheWrite != nil {
			cw = fmt.Sprintf("%g%s", *e.CacheWrite, mark)
		}
		batch := "-"
		if e.BatchDiscount > 0 {
			batch = fmt.Sprintf("-%g%%", e.BatchDiscount*100)
		}
		state := e.State(now)
		if e.Lifecycle != nil {
			state += " (eol " + e.Lifecycle.EOL + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%g%s\t%g%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.Family, e.ContextWindow, e.MaxOutput,
			cache, e.Input, mark, e.Output, mark, cr, cw, batch, e.Region, state, e.Effective)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, "\nUSD per million tokens, on-demand, in the region shown (a call is billed at its source region's prices); "+
		"* = not verified against the official price list (see each entry's source); legacy models cost their extended-access price from its date."); err != nil {
		return err
	}
	if g := c.guardrail; g != nil {
		mark := "*"
		if g.Verified {
			mark = ""
		}
		_, err := fmt.Fprintf(w, "Bedrock Guardrails, USD per 1,000 text units per policy (%s): content filters %g%s, denied topics %g%s, sensitive information %g%s, contextual grounding %g%s, word filters %g.\n",
			g.Region, g.ContentFilters, mark, g.DeniedTopics, mark, g.SensitiveInformation, mark, g.ContextualGrounding, mark, g.WordFilters)
		return err
	}
	return nil
}
