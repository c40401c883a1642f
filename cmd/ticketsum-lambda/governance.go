package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/guard"
)

// governance is what every model call of the function passes: the guard
// (PII redaction of the input, checks of the output, denied topics) and,
// when a bucket is configured, the encrypted invocation log of every
// attempt.
type governance struct {
	guard *guard.Guard
	outer []gateway.Middleware
	inner []gateway.Middleware
	log   *audit.S3Sink // nil without a bucket
}

// newGovernance builds the guard and the invocation log sink.
func newGovernance(ctx context.Context, s settings, d deps, loadAWS func(context.Context) (aws.Config, error), logger *slog.Logger) (*governance, error) {
	g, err := guard.New(guard.Config{Topics: guard.DefaultTopics(), TrustedTags: promptTags, Logger: logger})
	if err != nil {
		return nil, err
	}
	gov := &governance{guard: g, outer: []gateway.Middleware{g.Middleware()}}
	if s.AuditBucket == "" {
		logger.Warn("no TICKETSUM_AUDIT_BUCKET: model calls are not written to an invocation log")
		return gov, nil
	}
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
			if wrapper, err = audit.NewKMSKeyWrapper(kms.NewFromConfig(c), s.AuditKMSKey); err != nil {
				return nil, err
			}
		}
	}
	sink, err := audit.NewS3Sink(audit.S3SinkConfig{Client: client, Bucket: s.AuditBucket, Prefix: s.AuditPrefix,
		Wrapper: wrapper, Clock: d.Clock, Logger: logger})
	if err != nil {
		return nil, err
	}
	mw, err := audit.Middleware(audit.MiddlewareConfig{Log: sink, Redact: g.Redact, Clock: d.Clock, Logger: logger})
	if err != nil {
		return nil, err
	}
	gov.log = sink
	gov.inner = []gateway.Middleware{mw}
	return gov, nil
}

// promptTags are the prompt template's own fences, which the guard must not
// take for delimiter spoofing.
var promptTags = []string{"<ticket>", "</ticket>", "<example>", "</example>", "<part>", "</part>", "<kb_article>", "</kb_article>"}

// flush uploads the invocation records of the batch: a frozen or recycled
// container must not hold them.
func (g *governance) flush(ctx context.Context) error {
	if g.log == nil {
		return nil
	}
	return g.log.Flush(ctx)
}
