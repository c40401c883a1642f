package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// withGovernance loads the configuration of an admin command, opens the
// governance services (access control, audit trail) and runs fn with
// them, closing everything after.
func (e *env) withGovernance(cmd *cobra.Command, fn func(ctx context.Context, w *wiring, gov *app.Governance) error) error {
	return e.withWiring(cmd, func(ctx context.Context, w *wiring) error {
		gov, err := w.governance(ctx)
		if err != nil {
			return err
		}
		return fn(ctx, w, gov)
	})
}

// withExistingGovernance is withGovernance for commands that read: when
// the store does not exist yet it creates nothing (no data directory, no
// store, no keys) and says to run `ticketsum init` (exit 1).
func (e *env) withExistingGovernance(cmd *cobra.Command, fn func(ctx context.Context, w *wiring, gov *app.Governance) error) error {
	return e.withWiring(cmd, func(ctx context.Context, w *wiring) error {
		if err := w.requireStore(ctx); err != nil {
			return err
		}
		gov, err := w.governance(ctx)
		if err != nil {
			return err
		}
		return fn(ctx, w, gov)
	})
}

// withWiring loads the configuration of a command and runs fn with the
// wiring, closing everything it opened after.
func (e *env) withWiring(cmd *cobra.Command, fn func(ctx context.Context, w *wiring) error) error {
	cfg, err := e.load(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	return fn(ctx, w)
}

// revokeKey revokes the key with prefix, or says that it already is.
func (e *env) revokeKey(ctx context.Context, s *access.Service, actor, prefix string) error {
	p := strings.TrimPrefix(strings.TrimSpace(prefix), access.KeyPrefix)
	p, _, _ = strings.Cut(p, "_")
	keys, err := s.ListKeys(ctx, "")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Prefix == p && !k.RevokedAt.IsZero() {
			_, err := fmt.Fprintf(e.stdout, "key %s%s_... was already revoked on %s; nothing changed\n", access.KeyPrefix, p, k.RevokedAt.UTC().Format(time.RFC3339))
			return err
		}
	}
	return access.CmdKeysRevoke(ctx, s, e.stdout, actor, prefix)
}
