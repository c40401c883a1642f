package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketsum/ticketsum"
)

// The functions below are the bodies of the audit commands; cmd/ticketsum
// parses flags and calls them.

// CmdLogsRead runs "ticketsum logs read [--since T] [--principal P]
// [--request-id R] [--ticket T]": it records the read in the trail (when
// trail is not nil) as the admin action "logs.read" by operator, then
// prints every matching record decrypted, one JSON object per line.
func CmdLogsRead(ctx context.Context, r *Reader, trail *Trail, w io.Writer, operator string, f Filter) error {
	if trail != nil {
		details := map[string]string{"principal": f.Principal, "request_id": f.RequestID, "ticket_id": f.TicketID}
		if !f.Since.IsZero() {
			details["since"] = f.Since.Format(time.RFC3339)
		}
		if err := trail.RecordAdmin(ctx, operator, "logs.read", "invocation-log", details); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(w)
	return r.Read(ctx, f, func(rec *InvocationRecord) error { return enc.Encode(rec) })
}

// CmdAuditVerify runs "ticketsum audit verify": it prints the report and
// returns ok=false when a problem was found, so that the command can exit
// non-zero.
func CmdAuditVerify(ctx context.Context, t *Trail, w io.Writer, asJSON bool) (ok bool, err error) {
	rep, err := t.Verify(ctx)
	if err != nil {
		return false, err
	}
	if asJSON {
		return rep.OK(), json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "%d records, %d digests, signed through seq %d, %d records not yet under a digest\n", rep.Records, rep.Digests, rep.SignedThrough, rep.Unsigned)
	if rep.OK() {
		_, err = fmt.Fprintln(w, "OK: no record was edited, deleted, inserted or reordered")
		return true, err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "%-9s seq %-6d %s\n", strings.ToUpper(p.Kind), p.Seq, p.Message)
	}
	_, err = fmt.Fprintf(w, "FAILED: %d problems\n", len(rep.Problems))
	return false, err
}

// CmdUsage runs "ticketsum usage --by principal|model|product-line|day
// --since T".
func CmdUsage(ctx context.Context, t *Trail, w io.Writer, by string, since time.Time, asJSON bool) error {
	rows, err := t.Usage(ctx, by, since)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(rows)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tCALLS\tOK\tDENIED\tERRORS\tIN TOKENS\tOUT TOKENS\tCOST USD\tGUARDRAILS\t\n", strings.ToUpper(by))
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.4f\t%s\t\n", r.Key, r.Calls, r.Succeeded, r.Denied, r.Errors,
			r.InputTokens, r.OutputTokens, r.CostUSD, formatGuardrails(r.Guardrails))
	}
	return tw.Flush()
}

func formatGuardrails(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, " ")
}

// ParseSince reads a --since value: a date ("2026-11-01"), an RFC 3339
// time, or a duration back from now ("24h", "7d", "30d"). It returns
// EINVALID for anything else.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, ticketsum.Errorf(ticketsum.EINVALID, "--since %q: want a date (2026-11-01), an RFC 3339 time or a duration (24h, 7d)", s)
}
