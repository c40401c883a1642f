package review

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// Config configures a Service. Store and Tickets are required.
type Config struct {
	// Store keeps tasks, ratings and the queue. Required.
	Store Store
	// Tickets reads tickets and summary histories. Required.
	Tickets ticketsum.Store
	// SampleShare is the share of new production summaries sampled into
	// the review queue, from 0 to 1. Default 0.05; set NoSampling for none.
	SampleShare float64
	// NoSampling turns sampling off (SampleShare 0 means the default).
	NoSampling bool
	// Regenerate asks for a new summary of a ticket, typically by enqueuing
	// a summarize job. Default none: the regenerate action answers
	// "unavailable".
	Regenerate func(ctx context.Context, ticketID string) error
	// RegenerateInterval is the shortest time between two regenerations of
	// one ticket. Default 5 minutes.
	RegenerateInterval time.Duration
	// MaxWords is the longest edited summary accepted. Default
	// ticketsum.MaxSummaryWords (60).
	MaxWords int
	// CheckEdit, when set, vets an edited summary beyond the format rules,
	// such as the guard's personal-data check; its EINVALID error is shown
	// to the reviewer. Default none.
	CheckEdit func(ctx context.Context, t *ticketsum.Ticket, text string) error
	// CSRFSecret keys the forms' CSRF token. Default 32 random bytes at
	// New, which suits one server process; give several servers behind a
	// load balancer the same secret.
	CSRFSecret []byte
	// CSRF, when set, binds the forms' security tokens to the signed-in
	// person's session (webauth) instead of CSRFSecret; JSON POSTs then need
	// its token too unless an API key identifies them. Default nil.
	CSRF web.CSRF
	// Rater, when set, names the signed-in person behind a request: their
	// decisions and ratings are recorded under that name and the forms'
	// name field is not asked for. Default nil: raters type their name.
	Rater func(r *http.Request) string
	// Seed seeds the shuffling of candidates and the task ids. Default 0:
	// a random seed.
	Seed uint64
	// Clock stamps ratings and decisions. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives errors. Default: discard.
	Logger *slog.Logger
	// Title is the product name in the page header. Default "ticketsum".
	Title string
	// Nav lists the header's links beside Tickets, as in web.Config.Nav;
	// include the review link itself. Default one link, "Review" to
	// /review/.
	Nav []web.Link
	// PageSize is the number of queue items per page. Default 25.
	PageSize int
}

// withDefaults returns c with defaults filled in, or EINVALID naming the
// first bad field.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Store == nil:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.Store is required")
	case c.Tickets == nil:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.Tickets is required")
	}
	if c.SampleShare == 0 && !c.NoSampling {
		c.SampleShare = 0.05
	}
	if c.NoSampling {
		c.SampleShare = 0
	}
	if c.SampleShare < 0 || c.SampleShare > 1 || c.SampleShare != c.SampleShare {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.SampleShare %v is not between 0 and 1", c.SampleShare)
	}
	if c.RegenerateInterval == 0 {
		c.RegenerateInterval = 5 * time.Minute
	}
	if c.RegenerateInterval < 0 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.RegenerateInterval %s is negative", c.RegenerateInterval)
	}
	if c.MaxWords == 0 {
		c.MaxWords = ticketsum.MaxSummaryWords
	}
	if c.MaxWords < 0 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.MaxWords %d is negative", c.MaxWords)
	}
	if c.CSRFSecret == nil {
		c.CSRFSecret = make([]byte, 32)
		rand.Read(c.CSRFSecret)
	}
	if len(c.CSRFSecret) < 16 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.CSRFSecret must be at least 16 bytes")
	}
	if c.Seed == 0 {
		var b [8]byte
		rand.Read(b[:])
		for _, x := range b {
			c.Seed = c.Seed<<8 | uint64(x)
		}
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Title == "" {
		c.Title = "ticketsum"
	}
	if c.Nav == nil {
		c.Nav = []web.Link{{Label: "Review", Path: "/review/"}}
	}
	if c.PageSize == 0 {
		c.PageSize = 25
	}
	if c.PageSize < 0 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "review: Config.PageSize %d is negative", c.PageSize)
	}
	return c, nil
}
