package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/web"
)

// Authenticator turns an API key into a principal and says which models a
// principal may call. *access.Service implements it.
type Authenticator interface {
	// AuthenticateKey returns the principal owning rawKey and the key (for
	// its scopes), or EUNAUTHORIZED with a message that never contains the
	// key's secret.
	AuthenticateKey(ctx context.Context, rawKey string) (*access.Principal, *access.Key, error)
	// Authorize returns nil when p may call model, EFORBIDDEN otherwise.
	Authorize(ctx context.Context, p *access.Principal, model string) error
}

// SummarizerRequest says for whom and with which model a summarizer is
// wanted.
type SummarizerRequest struct {
	// Principal is the authenticated caller; every model call of the
	// summary must carry it in CallMeta.Principal.
	Principal string
	// Model is the model asked for (?model=), or Config.DefaultModel.
	Model string
	// RequestID identifies the HTTP request, for CallMeta.RequestID.
	RequestID string
}

// SummarizerFactory returns the summarizer for one request: typically a
// summarize.Pipeline over an LLM summarizer whose Principal is
// req.Principal and whose model is the gateway's governed req.Model. It
// returns ENOTFOUND for an unknown model.
type SummarizerFactory func(ctx context.Context, req SummarizerRequest) (ticketsum.Summarizer, error)

// ModelFactory returns the governed model with the given name (the
// gateway's Model method), or ENOTFOUND.
type ModelFactory func(name string) (ticketsum.Model, error)

// BudgetSource gives every principal's budget and spend this month.
// *access.Service implements it.
type BudgetSource interface {
	Budgets(ctx context.Context) ([]access.BudgetStatus, error)
}

// AuditSource reads the audit trail. *audit.Trail implements it.
type AuditSource interface {
	// Usage aggregates model calls since a time, grouped by
	// audit.ByPrincipal, audit.ByModel or audit.ByDay.
	Usage(ctx context.Context, by string, since time.Time) ([]audit.UsageRow, error)
	// Events returns the stored events with seq > after, at most limit
	// (0 for all).
	Events(ctx context.Context, after int64, limit int) ([]*audit.Event, error)
	// Verify checks the whole trail.
	Verify(ctx context.Context) (*audit.Report, error)
}

// TicketOwners remembers which principal stored a ticket through the API.
// *access.Service implements it.
type TicketOwners interface {
	// ClaimTicket makes principal the owner of ticketID unless it has one,
	// and returns the owner.
	ClaimTicket(ctx context.Context, ticketID, principal string) (string, error)
	// TicketOwner returns the principal that stored ticketID through the
	// API, or "" (imported, synced, or unknown).
	TicketOwner(ctx context.Context, ticketID string) (string, error)
}

// EventRecorder appends an event to the audit trail. *audit.Trail
// implements it.
type EventRecorder interface {
	Append(ctx context.Context, e *audit.Event) error
}

// Config configures a Handler. Only Access is required; each route is
// served only when what it needs is set.
type Config struct {
	// Access authenticates keys and lists the models a principal may call.
	// Required (an *access.Service).
	Access Authenticator
	// Models returns governed models for /v1/chat/completions (the
	// gateway's Model method). Default nil: the chat route is not served.
	Models ModelFactory
	// ModelNames lists the models /v1/models offers, before filtering by
	// the caller's allow-list (the gateway's Names method). Default nil:
	// /v1/models is not served.
	ModelNames func() []string
	// Summarizers builds the summarizer of each /v1/summaries request.
	// Default nil: the summaries route is not served.
	Summarizers SummarizerFactory
	// DefaultModel is the model /v1/summaries uses without ?model=.
	// Required when Summarizers is set.
	DefaultModel string
	// Trail, if set, records the summaries the API refuses before any model
	// is called (a model the principal may not use), as denied model calls,
	// so that they show on the governance page like the gateway's denials.
	// Default nil: such refusals are only logged.
	Trail EventRecorder
	// Store saves the ticket and its summary for ?store=true, which needs a
	// key with the tickets:write scope, and serves GET /v1/tickets/{id} to
	// keys with the read scope. Default nil: ?store=true is answered with
	// 400 and the read route is not served.
	Store ticketsum.Store
	// Owners records who stored each ticket, so that a store never replaces
	// a ticket imported, synced or stored by another principal (unless the
	// key has the admin scope). Default: Access, when it implements
	// TicketOwners (*access.Service does). Required with Store.
	Owners TicketOwners
	// Budgets and Audit feed the governance page. Default nil: the
	// governance routes are not served unless both are set.
	Budgets BudgetSource
	Audit   AuditSource
	// MaxBodyBytes limits the body of POST /v1/summaries (one ticket).
	// Default 1 MiB.
	MaxBodyBytes int64
	// BodyLimitHint, when set, ends the error of a ticket over
	// MaxBodyBytes: it names what raises the limit, such as the server's
	// setting. Default: no hint.
	BodyLimitHint string
	// MaxChatBodyBytes limits the body of POST /v1/chat/completions.
	// Default 1 MiB.
	MaxChatBodyBytes int64
	// ChatBodyLimitHint, when set, ends the error of a chat request over
	// MaxChatBodyBytes, as BodyLimitHint does for a ticket. Default: no
	// hint.
	ChatBodyLimitHint string
	// BodyReadTimeout bounds reading a request body, from the moment the
	// key is accepted; a client that trickles or stalls its body is cut
	// off and its connection closed. Default 30s.
	BodyReadTimeout time.Duration
	// WriteTimeout bounds a /v1 request from the moment its key is
	// accepted to the end of its answer (the model call included); a
	// streamed answer gets StreamWriteTimeout more for each event. Default
	// 3 minutes, above the gateway's 2-minute bound on a call.
	WriteTimeout time.Duration
	// StreamWriteTimeout bounds writing one server-sent event. Default 30s.
	StreamWriteTimeout time.Duration
	// MaxConcurrentPerKey caps the /v1 requests in flight per API key; one
	// more is refused with 429. Default 64; negative: no cap.
	MaxConcurrentPerKey int
	// MaxOutputTokens is the largest max_tokens a chat request may ask for.
	// Default 4096.
	MaxOutputTokens int
	// ThrottleRetryAfter is the Retry-After sent with a 429 for throttling
	// when the principal has no requests-per-minute limit to derive it
	// from. Default 5s.
	ThrottleRetryAfter time.Duration
	// Days is the number of days, ending today, of the governance page's
	// calls and cost chart. Default 30.
	Days int
	// AdminActions is the number of recent admin actions the governance page
	// lists. Default 20.
	AdminActions int
	// VerifyEvery caches the audit trail's verification for this long, since
	// verifying reads the whole trail. Default 1 minute; negative verifies on
	// every request.
	VerifyEvery time.Duration
	// Title is the product name in the page header. Default "ticketsum".
	Title string
	// Nav lists the page header's links, as given to web.Config.Nav.
	// Default none.
	Nav []web.Link
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives denials and failures, never keys or ticket text.
	// Default: discard.
	Logger *slog.Logger
}

// withDefaults fills in zero fields and rejects bad values with EINVALID.
func (c Config) withDefaults() (Config, error) {
	if c.Access == nil {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.Access is required")
	}
	if c.Summarizers != nil && c.DefaultModel == "" {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.DefaultModel is required with Config.Summarizers")
	}
	if (c.Budgets == nil) != (c.Audit == nil) {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: set both Config.Budgets and Config.Audit for the governance page, or neither")
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxChatBodyBytes == 0 {
		c.MaxChatBodyBytes = 1 << 20
	}
	c.BodyReadTimeout = orDuration(c.BodyReadTimeout, 30*time.Second)
	c.WriteTimeout = orDuration(c.WriteTimeout, 3*time.Minute)
	c.StreamWriteTimeout = orDuration(c.StreamWriteTimeout, 30*time.Second)
	if c.MaxConcurrentPerKey == 0 {
		c.MaxConcurrentPerKey = 64
	}
	if o, ok := c.Access.(TicketOwners); ok && c.Owners == nil {
		c.Owners = o
	}
	if c.Store != nil && c.Owners == nil {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.Owners is required with Config.Store")
	}
	if c.MaxOutputTokens == 0 {
		c.MaxOutputTokens = 4096
	}
	if c.ThrottleRetryAfter == 0 {
		c.ThrottleRetryAfter = 5 * time.Second
	}
	if c.Days == 0 {
		c.Days = 30
	}
	if c.AdminActions == 0 {
		c.AdminActions = 20
	}
	if c.VerifyEvery == 0 {
		c.VerifyEvery = time.Minute
	}
	switch {
	case c.MaxBodyBytes < 0 || c.MaxChatBodyBytes < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.MaxBodyBytes and MaxChatBodyBytes must not be negative")
	case c.BodyReadTimeout < 0 || c.WriteTimeout < 0 || c.StreamWriteTimeout < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.BodyReadTimeout, WriteTimeout and StreamWriteTimeout must not be negative")
	case c.MaxOutputTokens < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.MaxOutputTokens %d is negative", c.MaxOutputTokens)
	case c.ThrottleRetryAfter < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.ThrottleRetryAfter %s is negative", c.ThrottleRetryAfter)
	case c.Days < 0 || c.Days > 366:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.Days %d is not between 1 and 366", c.Days)
	case c.AdminActions < 0:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "api: Config.AdminActions %d is negative", c.AdminActions)
	}
	if c.Title == "" {
		c.Title = "ticketsum"
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
