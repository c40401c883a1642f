package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
// returns ok=false when the trail failed verification or its integrity is
// unproven (records that no digest covers although one should by now), so
// that the command exits 1; it never reports an unproven trail as OK.
func CmdAuditVerify(ctx context.Context, t *Trail, w io.Writer, asJSON bool) (ok bool, err error) {
	rep, err := t.Verify(ctx)
	if err != nil {
		return false, err
	}
	if asJSON {
		return rep.OK(), json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "%s, %s, signed through seq %d, %s not yet under a digest\n", count(rep.Records, "record"), count(rep.Digests, "digest"), rep.SignedThrough, count(rep.Unsigned, "record"))
	if rep.KeyFingerprint != "" {
		pin := "not pinned"
		if rep.Pinned {
			pin = "pinned"
		}
		fmt.Fprintf(w, "signing key %s (%s)\n", rep.KeyFingerprint, pin)
	}
	if rep.Anchored != nil {
		fmt.Fprintf(w, "external anchor: %d digests\n", *rep.Anchored)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "%-9s seq %-6d %s\n", strings.ToUpper(p.Kind), p.Seq, p.Message)
	}
	switch rep.Status {
	case StatusOK:
		_, err = fmt.Fprintln(w, "OK: no record was edited, deleted, inserted or reordered")
	case StatusUnproven:
		_, err = fmt.Fprintf(w, "INTEGRITY UNPROVEN: %s\n", rep.Unproven)
	default:
		if rep.Unproven != "" {
			fmt.Fprintf(w, "also unproven: %s\n", rep.Unproven)
		}
		_, err = fmt.Fprintf(w, "FAILED: %s\n", count(len(rep.Problems), "problem"))
	}
	return rep.OK(), err
}

// CmdAuditSign runs "ticketsum audit sign": it signs the records no digest
// covers yet (those a process without the signing key, such as the Lambda,
// or one that was killed, left behind) and copies digests to the anchor.
// Run it on a schedule, within the digest interval, where no serve or
// worker process runs.
func CmdAuditSign(ctx context.Context, t *Trail, w io.Writer) error {
	d, err := t.WriteDigest(ctx)
	if err != nil {
		return err
	}
	if d == nil {
		_, err = fmt.Fprintln(w, "nothing to sign: every record is under a digest")
		return err
	}
	_, err = fmt.Fprintf(w, "signed digest %d over records seq %d to %d\n", d.N, d.FirstSeq, d.LastSeq)
	return err
}

// CmdAuditKey runs "ticketsum audit key": it prints the fingerprint of the
// signing key, the value of governance.signing_key_fingerprint.
func CmdAuditKey(t *Trail, w io.Writer) error {
	pub := t.PublicKey()
	if pub == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "this process holds no audit signing key")
	}
	_, err := fmt.Fprintln(w, KeyFingerprint(pub))
	return err
}

// CmdAuditRotateKey runs "ticketsum audit rotate-key": it creates a new
// signing key beside keyFile, records the rotation in the trail (a digest
// signed by the old and the new key), replaces keyFile with the new key
// (the old one is removed: it no longer signs anything) and prints the new
// fingerprint to pin. The rotation is recorded as the admin action
// "audit.rotate-key" by actor. Other signing processes refuse to sign until they
// are restarted with the new key and pin.
func CmdAuditRotateKey(ctx context.Context, t *Trail, keyFile, actor string, w io.Writer) error {
	if keyFile == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "rotate-key: no signing key file is configured (governance.signing_key_file)")
	}
	tmp := keyFile + ".new"
	_, next, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if err := writeSigningKey(tmp, next); errors.Is(err, fs.ErrExist) {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "rotate-key: %s exists: an earlier rotation was interrupted; if `ticketsum audit verify` shows a rotation to its key, rename it (and its .pub) over %s, else delete it", tmp, keyFile)
	} else if err != nil {
		return err
	}
	newFP := KeyFingerprint(next.Public().(ed25519.PublicKey))
	// The rotation digest covers the record of who rotated.
	err = t.RecordAdmin(ctx, actor, "audit.rotate-key", newFP, map[string]string{"old_key": KeyFingerprint(t.PublicKey())})
	var d *Digest
	if err == nil {
		d, err = t.RotateKey(ctx, next)
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".pub")
		return err
	}
	if err := os.Rename(tmp, keyFile); err != nil {
		return fmt.Errorf("rotation recorded in digest %d, but the new key is still at %s: rename it (and its .pub) over %s: %w", d.N, tmp, keyFile, err)
	}
	if err := os.Rename(tmp+".pub", keyFile+".pub"); err != nil {
		return fmt.Errorf("rotation recorded in digest %d; rename %s.pub over %s.pub: %w", d.N, tmp, keyFile, err)
	}
	_, err = fmt.Fprintf(w, "rotation recorded in digest %d; new signing key %s\nset governance.signing_key_fingerprint: %s and restart every signing process\n",
		d.N, keyFile, newFP)
	return err
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
	table := [][]string{{strings.ToUpper(by), "CALLS", "OK", "DENIED", "ERRORS", "IN TOKENS", "OUT TOKENS", "COST USD", "GUARDRAILS"}}
	for _, r := range rows {
		table = append(table, []string{r.Key, strconv.Itoa(r.Calls), strconv.Itoa(r.Succeeded), strconv.Itoa(r.Denied), strconv.Itoa(r.Errors),
			strconv.FormatInt(r.InputTokens, 10), strconv.FormatInt(r.OutputTokens, 10), fmt.Sprintf("%.4f", r.CostUSD), formatGuardrails(r.Guardrails)})
	}
	return writeTable(w, table)
}

// writeTable writes rows with every column as wide as its content: the
// first column left-aligned, the figures right-aligned, the last column
// (free text) left-aligned and never padded.
func writeTable(w io.Writer, rows [][]string) error {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c + pad + "  ")
			case i == len(row)-1:
				b.WriteString(c)
			default:
				b.WriteString(pad + c + "  ")
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
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

// count returns "1 record", "2 records".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
