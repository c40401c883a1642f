package access

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketsum/ticketsum"
)

// The functions below are the bodies of the admin commands; cmd/ticketsum
// parses flags and calls them. Each writes a table, or JSON when asJSON.

// CmdKeysCreate runs "ticketsum keys create --principal P [--ttl D]
// [--scope S,S]": it creates a key and prints it once, with a warning that
// it is not stored.
func CmdKeysCreate(ctx context.Context, s *Service, w io.Writer, actor, principal string, ttl time.Duration, scopes []string, asJSON bool) error {
	raw, k, err := s.CreateKey(ctx, actor, principal, ttl, scopes...)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "principal %s not found: create it first with `ticketsum principals put %s --budget USD` (`ticketsum principals list` shows the existing ones)",
			truncate(principal, 70), truncate(principal, 70))
	}
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"key": raw, "prefix": k.Prefix, "principal": k.Principal, "expires_at": k.ExpiresAt, "scopes": k.Scopes})
	}
	expires := "never"
	if !k.ExpiresAt.IsZero() {
		expires = k.ExpiresAt.Format(time.RFC3339)
	}
	_, err = fmt.Fprintf(w, "%s\n\nprincipal %s, prefix %s, scopes %s, expires %s\nThis key is shown once and is not stored: keep it in a secret manager now.\n",
		raw, k.Principal, k.Prefix, strings.Join(k.Scopes, ","), expires)
	return err
}

// CmdKeysList runs "ticketsum keys list [--principal P]".
func CmdKeysList(ctx context.Context, s *Service, w io.Writer, principal string, asJSON bool) error {
	keys, err := s.ListKeys(ctx, principal)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	if asJSON {
		type row struct {
			*Key
			Status string `json:"status"`
		}
		out := make([]row, len(keys))
		for i, k := range keys {
			out[i] = row{k, k.Status(now)}
		}
		return json.NewEncoder(w).Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PREFIX\tPRINCIPAL\tSTATUS\tCREATED\tEXPIRES")
	for _, k := range keys {
		exp := "never"
		if !k.ExpiresAt.IsZero() {
			exp = k.ExpiresAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "tks_%s_...\t%s\t%s\t%s\t%s\n", k.Prefix, k.Principal, k.Status(now), k.CreatedAt.Format(time.DateOnly), exp)
	}
	return tw.Flush()
}

// CmdKeysRevoke runs "ticketsum keys revoke PREFIX".
func CmdKeysRevoke(ctx context.Context, s *Service, w io.Writer, actor, prefix string) error {
	prefix = strings.TrimSuffix(strings.TrimPrefix(prefix, KeyPrefix), "_...")
	if err := s.RevokeKey(ctx, actor, prefix); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "key tks_%s_... revoked\n", prefix)
	return err
}

// CmdModelsApprove runs "ticketsum models approve MODEL [--note N]".
func CmdModelsApprove(ctx context.Context, s *Service, w io.Writer, actor, model, note string) error {
	if err := s.ApproveModel(ctx, actor, model, note); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "model %s approved\n", model)
	return err
}

// CmdModelsRevoke runs "ticketsum models revoke MODEL".
func CmdModelsRevoke(ctx context.Context, s *Service, w io.Writer, actor, model string) error {
	if err := s.RevokeModel(ctx, actor, model); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "model %s revoked: nobody can call it now\n", model)
	return err
}

// CmdModelsList runs "ticketsum models list".
func CmdModelsList(ctx context.Context, s *Service, w io.Writer, asJSON bool) error {
	ms, err := s.cfg.Store.ListApprovedModels(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(ms)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tAPPROVED BY\tAPPROVED\tNOTE")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.ApprovedBy, m.ApprovedAt.Format(time.DateOnly), m.Note)
	}
	return tw.Flush()
}

// CmdPrincipalsPut runs "ticketsum principals put NAME [--models G,G]
// [--budget USD] [--rpm N] [--use-cases T,T]": it creates the principal
// (which needs a budget) or changes only the settings given.
func CmdPrincipalsPut(ctx context.Context, s *Service, w io.Writer, actor, name string, patch PrincipalPatch) error {
	p, created, err := s.PatchPrincipal(ctx, actor, name, patch)
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	models := strings.Join(p.Models, ",")
	if models == "" {
		models = "none (it may call no model: add --models)"
	}
	rpm := "no limit"
	if p.RequestsPerMinute > 0 {
		rpm = fmt.Sprintf("%d per minute", p.RequestsPerMinute)
	}
	_, err = fmt.Fprintf(w, "principal %s %s: models %s, budget $%s/month, requests %s\n", p.Name, verb, models, formatUSD(p.MonthlyBudgetUSD), rpm)
	return err
}

// CmdPrincipalsList runs "ticketsum principals list": each principal with
// its allow-list, limit, budget and this month's spend.
func CmdPrincipalsList(ctx context.Context, s *Service, w io.Writer, asJSON bool) error {
	ps, err := s.cfg.Store.ListPrincipals(ctx)
	if err != nil {
		return err
	}
	type row struct {
		*Principal
		SpentUSD    float64 `json:"spent_usd"`
		ReservedUSD float64 `json:"reserved_usd"`
	}
	rows := make([]row, len(ps))
	for i, p := range ps {
		spent, reserved, err := s.Spend(ctx, p.Name)
		if err != nil {
			return err
		}
		rows[i] = row{p, spent, reserved}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(rows)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRINCIPAL\tMODELS\tRPM\tBUDGET/MONTH\tSPENT\tUSE CASES")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t$%s\t$%s\t%s\n", r.Name, strings.Join(r.Models, ","), r.RequestsPerMinute,
			formatUSD(r.MonthlyBudgetUSD), formatUSD(r.SpentUSD), strings.Join(r.UseCases, ","))
	}
	return tw.Flush()
}
