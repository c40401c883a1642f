package source

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
)

// triggerTables returns the tables the NOTIFY trigger goes on.
func (s *Source) triggerTables() ([]string, error) {
	if len(s.cfg.NotifyTables) > 0 {
		return s.cfg.NotifyTables, nil
	}
	if s.cfg.TableMode() {
		return []string{s.cfg.Tickets.Table, s.cfg.Messages.Table}, nil
	}
	return nil, ticketsum.Errorf(ticketsum.EINVALID, "source config: notify_tables is required for the trigger with thread_query")
}

// triggerName is the name of the trigger and of its function.
func (s *Source) triggerName() string { return "ticketsum_notify_" + s.cfg.Name }

// InstallTrigger creates, in ticketsum's schema, a function that notifies
// the source's channel, and a statement-level trigger on each of the team's
// tables that calls it after inserts, updates and deletes, so that Watch
// wakes within moments of a change instead of at the next poll. It is
// idempotent. The database user needs the TRIGGER privilege on the tables.
// It returns EINVALID when there is no table to put it on and EFORBIDDEN
// when privileges are missing.
func (s *Source) InstallTrigger(ctx context.Context) error {
	tables, err := s.triggerTables()
	if err != nil {
		return err
	}
	fn := s.schema + "." + pgx.Identifier{s.triggerName()}.Sanitize()
	trig := pgx.Identifier{s.triggerName()}.Sanitize()
	return s.ddl(ctx, "install trigger", func(tx pgx.Tx) error {
		// The channel name is checked to be [a-z0-9_]: safe in a literal.
		if _, err := tx.Exec(ctx, `CREATE OR REPLACE FUNCTION `+fn+`() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('`+s.cfg.Channel+`', TG_TABLE_NAME);
    RETURN NULL;
END
$fn$`); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.Exec(ctx, `DROP TRIGGER IF EXISTS `+trig+` ON `+quoteIdent(t)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TRIGGER `+trig+` AFTER INSERT OR UPDATE OR DELETE ON `+quoteIdent(t)+
				` FOR EACH STATEMENT EXECUTE FUNCTION `+fn+`()`); err != nil {
				return err
			}
		}
		return nil
	})
}

// UninstallTrigger drops the triggers and the function InstallTrigger
// made. It is idempotent.
func (s *Source) UninstallTrigger(ctx context.Context) error {
	tables, err := s.triggerTables()
	if err != nil {
		return err
	}
	fn := s.schema + "." + pgx.Identifier{s.triggerName()}.Sanitize()
	trig := pgx.Identifier{s.triggerName()}.Sanitize()
	return s.ddl(ctx, "uninstall trigger", func(tx pgx.Tx) error {
		for _, t := range tables {
			if _, err := tx.Exec(ctx, `DROP TRIGGER IF EXISTS `+trig+` ON `+quoteIdent(t)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DROP FUNCTION IF EXISTS `+fn+`()`)
		return err
	})
}

// ddl runs fn in a read-write transaction on the team's connection settings.
func (s *Source) ddl(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	err := pgx.BeginTxFunc(ctx, s.team, pgx.TxOptions{AccessMode: pgx.ReadWrite}, fn)
	if err != nil {
		if isPrivilege(err) {
			return ticketsum.Errorf(ticketsum.EFORBIDDEN, "%s: the database user lacks a privilege: %w", what, err)
		}
		return translate(err, what)
	}
	return nil
}

// WriteBack writes the ticket's current summary to the team's table with
// the configured write_back statement; it does nothing when there is none
// or the ticket has no summary. Running it twice writes the same values:
// call it after every successful summary. It returns EUNAVAILABLE when the
// database fails.
func (s *Source) WriteBack(ctx context.Context, ticketID string) error {
	if s.cfg.WriteBack == "" {
		return nil
	}
	cur, err := s.store.CurrentSummary(ctx, ticketID)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write back summary of ticket %s: %w", ticketID, err)
	}
	args := []any{ticketID, cur.Text, string(cur.Status), cur.Model}[:s.writeBackParams]
	err = pgx.BeginTxFunc(ctx, s.team, pgx.TxOptions{AccessMode: pgx.ReadWrite}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, s.cfg.WriteBack, args...)
		return err
	})
	if err != nil {
		if isPrivilege(err) {
			return ticketsum.Errorf(ticketsum.EFORBIDDEN, "write back summary of ticket %s: the database user may not update the table: %w", ticketID, err)
		}
		return translate(err, "write back summary of ticket "+ticketID)
	}
	return nil
}
