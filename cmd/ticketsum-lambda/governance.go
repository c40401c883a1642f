package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/postgres"
)

// maxTicketHint ends the guard's refusal of a text over
// settings.MaxTicketBytes, as the command tree's names max_ticket_bytes.
const maxTicketHint = "the guard checks a text up to TICKETSUM_MAX_TICKET_BYTES (the function's variable; max_ticket_bytes for the worker); raise it"

// principal is the access-control principal the function runs as.
const principal = access.PrincipalLambda

// governance is what every model call of the function passes, in the same
// order as in the worker (app.NewGovernance): the audit trail, access
// control and budget for the principal, the guard (PII redaction of the
// input, checks of the output, denied topics), and per attempt the
// encrypted invocation log when a bucket is configured.
type governance struct {
	*app.Governance
}

// newGovernance opens the governance tables in the store's schema, through
// the store's pool (so IAM authentication applies), and the invocation log.
func newGovernance(ctx context.Context, s settings, d deps, store *postgres.Store, loadAWS func(context.Context) (aws.Config, error), logger *slog.Logger) (*governance, error) {
	g, err := guard.New(guard.Config{Topics: guard.DefaultTopics(), TrustedTags: promptTags, Logger: logger,
		MaxTextBytes: s.MaxTicketBytes, LimitHint: maxTicketHint})
	if err != nil {
		return nil, err
	}
	gov := &governance{}
	var sink audit.Sink
	if s.AuditBucket != "" {
		if sink, err = newInvocationLog(ctx, s, d, loadAWS, logger); err != nil {
			return nil, err
		}
	} else {
		logger.Warn("no TICKETSUM_AUDIT_BUCKET: model calls are recorded in the audit trail but not in an invocation log")
	}
	// The function appends to the audit trail's hash chain but never signs
	// a digest (no signing key is kept in Lambda): it hands off to a signer,
	// a ticketsum process that holds the team's signing key (serve, worker,
	// or `ticketsum audit sign` on a schedule), which signs within the
	// digest interval (docs/governance.md).
	gov.Governance, err = app.NewGovernance(ctx, app.GovernanceConfig{
		DB: stdlib.OpenDBFromPool(store.Pool()), Dialect: access.Postgres, Guard: g, Log: sink,
		NoSigning: true, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	p, err := gov.Access.ReconcileDeclared(ctx, "environment", access.LambdaDeclaration(), &access.Principal{Name: principal, UseCases: []string{"summarize"},
		Models: s.PrincipalModels, MonthlyBudgetUSD: s.MonthlyBudgetUSD, RequestsPerMinute: s.PrincipalRPM})
	if err != nil {
		return nil, fmt.Errorf("apply the principal %s from the environment: %w", principal, err)
	}
	// A model the principal may not call would make every ticket fail for
	// good; fail the start instead, so that messages stay queued (and reach
	// the dead-letter queue, where they can be redriven) until it may. The
	// denial names the rule and the fix.
	for i, m := range append([]string{s.Model}, s.ModelConfig.Fallback...) {
		if s.Model == app.Builtin {
			break
		}
		if err := gov.Access.Authorize(ctx, p, m); err != nil {
			if i == 0 {
				return nil, fmt.Errorf("the model TICKETSUM_MODEL=%s cannot be called: %w", m, err)
			}
			logger.Warn("fallback model not callable; calls will not fall back to it", "model", m,
				"code", string(ticketsum.ErrorCodeOf(err)), "reason", ticketsum.ErrorMessage(err))
		}
	}
	return gov, nil
}

// newInvocationLog opens the S3 sink of the encrypted invocation log.
func newInvocationLog(ctx context.Context, s settings, d deps, loadAWS func(context.Context) (aws.Config, error), logger *slog.Logger) (*audit.S3Sink, error) {
	client, wrapper := d.AuditS3, d.AuditKeys
	if client == nil || wrapper == nil {
		c, err := loadAWS(ctx)
		if err != nil {
			return nil, err
		}
		if client == nil {
			client = s3.NewFromConfig(c)
		}
		if wrapper == nil {
			if wrapper, err = audit.NewKMSKeyWrapper(kms.NewFromConfig(c), s.AuditKMSKey, logger); err != nil {
				return nil, err
			}
		}
	}
	return audit.NewS3Sink(audit.S3SinkConfig{Client: client, Bucket: s.AuditBucket, Prefix: s.AuditPrefix,
		Wrapper: wrapper, Clock: d.Clock, Logger: logger})
}

// promptTags are the prompt template's own fences, which the guard must not
// take for delimiter spoofing.
var promptTags = []string{"<ticket>", "</ticket>", "</message>", "<example>", "</example>", "<part>", "</part>", "<kb_article>", "</kb_article>"}

// flush writes what the batch left in memory: the budget settlements of
// its calls (the ledger group-commits them), the invocation records and
// the trail's pending appends. A frozen or recycled container must not
// hold them.
func (g *governance) flush(ctx context.Context) error {
	return g.Governance.Flush(ctx)
}
