package cost

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes the catalogue's models as a text table, for
// `ticketsum models`: name, family, context window, max output, caching and
// prices per million tokens, with unverified prices marked *.
func WriteTable(w io.Writer, c *Catalogue) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFAMILY\tCONTEXT\tMAX OUT\tCACHE\tINPUT\tOUTPUT\tCACHE READ\tCACHE WRITE\tBATCH\tEFFECTIVE")
	for _, e := range c.Models() {
		mark := ""
		if !e.Verified {
			mark = "*"
		}
		cache, cr, cw := "no", "-", "-"
		if e.PromptCaching {
			cache = "yes"
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
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%g%s\t%g%s\t%s\t%s\t%s\t%s\n", e.Name, e.Family, e.ContextWindow, e.MaxOutput,
			cache, e.Input, mark, e.Output, mark, cr, cw, batch, e.Effective)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nUSD per million tokens, on-demand, us-east-1; * = not verified against the official price list (see each entry's source).")
	return err
}
