package postgres

import (
	"context"
	"io"
	"log/slog"
	"regexp"

	"github.com/ticketsum/ticketsum"
)

// Config configures the Postgres store.
type Config struct {
	// URL is the connection string, as libpq takes it
	// ("postgres://user@host:5432/db?sslmode=verify-full"). Required.
	URL string
	// Schema holds ticketsum's tables (and River's, through the queue
	// package); it is created when missing. Default "ticketsum". Lower-case
	// letters, digits and underscores only.
	Schema string
	// MaxConns caps the pool's connections. A pool_max_conns given in URL
	// wins over it. Default 10 (the queue package's PoolSize gives the size
	// a queue of so many workers needs).
	MaxConns int32
	// Password, when set, is called for every new connection and its result
	// used as the password: an RDS IAM authentication token, for example
	// (github.com/aws/aws-sdk-go-v2/feature/rds/auth.BuildAuthToken). Default:
	// the password in URL, if any.
	Password func(ctx context.Context) (string, error)
	// Logger receives migration and error logs. Default: discard.
	Logger *slog.Logger
	// Clock stamps summaries saved without a time. Default: the system clock.
	Clock ticketsum.Clock
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// withDefaults returns c with defaults filled in, or EINVALID for a bad value.
func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "postgres URL is required")
	}
	if c.Schema == "" {
		c.Schema = "ticketsum"
	}
	if !schemaName.MatchString(c.Schema) {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "postgres schema %q must be 1-63 lower-case letters, digits or underscores, not starting with a digit", c.Schema)
	}
	if c.MaxConns == 0 {
		c.MaxConns = 10
	}
	if c.MaxConns < 1 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "postgres max conns %d must be at least 1", c.MaxConns)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	return c, nil
}
