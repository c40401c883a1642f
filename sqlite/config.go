package sqlite

import (
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Config configures the SQLite store.
type Config struct {
	// Path is the database file, created when missing. Default "ticketsum.db".
	Path string
	// BusyTimeout is how long a statement waits for another process's lock
	// before failing with EUNAVAILABLE. Default 5s.
	BusyTimeout time.Duration
	// Logger receives migration and error logs. Default: discard.
	Logger *slog.Logger
	// Clock stamps summaries saved without a time. Default: the system clock.
	Clock ticketsum.Clock
}

// withDefaults returns c with defaults filled in, or EINVALID for a bad value.
func (c Config) withDefaults() (Config, error) {
	if c.Path == "" {
		c.Path = "ticketsum.db"
	}
	if strings.ContainsAny(c.Path, "?\x00") {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sqlite path %q must not contain '?' or NUL", c.Path)
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = 5 * time.Second
	}
	if c.BusyTimeout < time.Millisecond {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "sqlite busy timeout %v must be at least 1ms", c.BusyTimeout)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	return c, nil
}
