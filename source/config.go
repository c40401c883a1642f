package source

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
)

// Mapping says where the team's tickets are: either two tables (Tickets and
// Messages) or two queries (ThreadQuery and ChangesQuery). It is the
// `source:` section of the config file.
type Mapping struct {
	// Tickets maps the tickets table.
	Tickets TicketsTable `yaml:"tickets"`
	// Messages maps the messages table.
	Messages MessagesTable `yaml:"messages"`

	// ThreadQuery, instead of the tables, returns one ticket's thread, one
	// row per message in thread order, with $1 the ticket id (as text).
	// Columns are matched by name: role and body are required; author, at,
	// subject, product_line, customer_name, customer_email, created_at and
	// updated_at are optional (ticket-level ones are read from the first
	// row). A SELECT (or WITH) only.
	ThreadQuery string `yaml:"thread_query"`
	// ChangesQuery, required with ThreadQuery, lists tickets changed after
	// the watermark: $1 is its updated-at, $2 its ticket id as text (NULL at
	// the start) and $3 the page size. It returns the columns id and
	// updated_at, ordered by (updated_at, id), only rows with (updated_at, id)
	// > ($1, $2), at most $3 of them.
	ChangesQuery string `yaml:"changes_query"`
	// CountQuery, optional with ThreadQuery, counts the tickets with
	// updated_at >= $1, for backfill progress. Without it backfill shows no
	// total or ETA.
	CountQuery string `yaml:"count_query"`
	// NotifyTables are the tables whose changes fire the NOTIFY trigger in
	// query mode. Default, in table mode: the tickets and messages tables.
	NotifyTables []string `yaml:"notify_tables"`

	// WriteBack, when set, is a statement run after a summary is saved, that
	// writes it to the team's own table: $1 is the ticket id, $2 the summary
	// text, $3 its status (resolved, awaiting_customer, awaiting_support),
	// $4 the model. Use the first n of them. An UPDATE only, such as
	// `UPDATE tickets SET ai_summary = $2, ai_summary_status = $3 WHERE id = $1`.
	// Default none: summaries stay in ticketsum's schema.
	WriteBack string `yaml:"write_back"`

	// SearchPath is the search_path the team's queries run with. Default:
	// the database's default (usually "$user", public).
	SearchPath string `yaml:"search_path"`
}

// TicketsTable maps the team's tickets table. Names are identifiers, taken
// as written (case-sensitive), optionally schema-qualified ("support.tickets").
type TicketsTable struct {
	// Table is the tickets table. Required in table mode.
	Table string `yaml:"table"`
	// ID is the ticket id column (any type; read as text). Default "id".
	ID string `yaml:"id"`
	// Subject, ProductLine, CustomerName, CustomerEmail and CreatedAt are
	// optional columns; empty ones are not read.
	Subject       string `yaml:"subject"`
	ProductLine   string `yaml:"product_line"`
	CustomerName  string `yaml:"customer_name"`
	CustomerEmail string `yaml:"customer_email"`
	CreatedAt     string `yaml:"created_at"`
	// UpdatedAt is the column the watermark follows (timestamp or
	// timestamptz). It must change whenever the thread does, including when
	// a message is added. Default "updated_at". An index on (UpdatedAt, ID)
	// keeps polling cheap.
	UpdatedAt string `yaml:"updated_at"`
}

// MessagesTable maps the team's messages table.
type MessagesTable struct {
	// Table is the messages table. Required in table mode.
	Table string `yaml:"table"`
	// TicketID is the column referencing the ticket. Default "ticket_id".
	TicketID string `yaml:"ticket_id"`
	// Role is the column saying who wrote the message. Default "role".
	Role string `yaml:"role"`
	// Author is the author's name column; optional.
	Author string `yaml:"author"`
	// CreatedAt orders the thread and dates each message. Default "created_at".
	CreatedAt string `yaml:"created_at"`
	// ID, optional, breaks ties in thread order between messages with the
	// same CreatedAt.
	ID string `yaml:"id"`
	// Body is the message text column. Default "body".
	Body string `yaml:"body"`
	// Roles maps the team's role values to customer, agent or internal.
	// Values already equal to those three need no entry. A message with an
	// unmapped role makes its ticket invalid: it is skipped and logged.
	Roles map[string]string `yaml:"roles"`
}

// BatchEnqueueFunc adds the summarise jobs of a backfill page's new and
// changed threads inside tx.
type BatchEnqueueFunc func(ctx context.Context, tx pgx.Tx, tickets []*ticketsum.Ticket) error

// EnqueueFunc adds the summarise job of a ticket's thread inside tx, to run
// at runAt: the queue's River client inserting a job unique on ticket and
// content hash. It must not commit tx.
type EnqueueFunc func(ctx context.Context, tx pgx.Tx, ticketID, contentHash string, runAt time.Time) error

// Config configures a Source.
type Config struct {
	Mapping
	// Name tells apart several sources feeding one ticketsum schema; it keys
	// the watermark, backfill cursor and locks. Default "default".
	Name string
	// PollInterval is how often the watcher looks for changes when no
	// notification wakes it. Default 15s.
	PollInterval time.Duration
	// Debounce is the least time between two summaries of one ticket: a
	// change within it of the previous job is scheduled for the end of the
	// interval (one job for a burst of edits). Default 5m; a negative value
	// disables it (every change runs at once).
	Debounce time.Duration
	// BatchSize is how many tickets one page reads. Default 500.
	BatchSize int
	// Channel is the LISTEN/NOTIFY channel of the trigger. Default
	// "ticketsum_source".
	Channel string
	// Enqueue adds summarise jobs. Required for Watch and Backfill.
	Enqueue EnqueueFunc
	// EnqueueBatch, when set and the store upserts many tickets at once
	// (BatchStore), makes Backfill copy each page in one transaction and
	// queue its new and changed threads with one call (batch jobs, behind
	// live work). Default nil: one transaction and one job per ticket.
	EnqueueBatch BatchEnqueueFunc
	// Logger receives progress and skipped tickets (ids only, never text).
	// Default: discard.
	Logger *slog.Logger
	// Clock stamps job schedules. Default: the system clock.
	Clock ticketsum.Clock
}

var (
	identPart   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,62}$`)
	channelName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	searchPath  = regexp.MustCompile(`^[A-Za-z_$"][A-Za-z0-9_$", ]{0,200}$`)
)

// withDefaults returns c with defaults filled in, or EINVALID naming the
// first bad value.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "source config: "+format, args...)
	}
	if c.Name == "" {
		c.Name = "default"
	}
	if c.PollInterval == 0 {
		c.PollInterval = 15 * time.Second
	}
	if c.Debounce == 0 {
		c.Debounce = 5 * time.Minute
	}
	if c.Debounce < 0 {
		c.Debounce = 0
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	if c.Channel == "" {
		c.Channel = "ticketsum_source"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	switch {
	case !channelName.MatchString(c.Name):
		return bad("name %q must be 1-63 lower-case letters, digits or underscores", c.Name)
	case c.PollInterval < 10*time.Millisecond:
		return bad("poll_interval %v must be at least 10ms", c.PollInterval)
	case c.BatchSize < 1 || c.BatchSize > 100000:
		return bad("batch_size %d must be between 1 and 100000", c.BatchSize)
	case !channelName.MatchString(c.Channel):
		return bad("channel %q must be 1-63 lower-case letters, digits or underscores", c.Channel)
	case c.SearchPath != "" && !searchPath.MatchString(c.SearchPath):
		return bad("search_path %q must be a comma-separated list of schema names", c.SearchPath)
	}
	m, err := c.Mapping.withDefaults()
	if err != nil {
		return c, err
	}
	c.Mapping = m
	return c, nil
}

// TableMode reports whether the mapping names tables rather than queries.
func (m Mapping) TableMode() bool { return m.ThreadQuery == "" }

// withDefaults fills the mapping's default column names and checks every
// identifier and query.
func (m Mapping) withDefaults() (Mapping, error) {
	bad := func(format string, args ...any) (Mapping, error) {
		return m, ticketsum.Errorf(ticketsum.EINVALID, "source config: "+format, args...)
	}
	if m.WriteBack != "" {
		if err := checkStatement("write_back", m.WriteBack, "UPDATE"); err != nil {
			return m, err
		}
	}
	for _, t := range m.NotifyTables {
		if err := checkIdent("notify_tables", t, true); err != nil {
			return m, err
		}
	}
	if !m.TableMode() {
		if m.Tickets.Table != "" || m.Messages.Table != "" {
			return bad("give either tickets/messages tables or thread_query, not both")
		}
		if m.ChangesQuery == "" {
			return bad("changes_query is required with thread_query")
		}
		for _, q := range []struct{ field, sql string }{
			{"thread_query", m.ThreadQuery}, {"changes_query", m.ChangesQuery}, {"count_query", m.CountQuery},
		} {
			if q.sql == "" {
				continue
			}
			if err := checkStatement(q.field, q.sql, "SELECT", "WITH"); err != nil {
				return m, err
			}
		}
		return m, nil
	}
	if m.ChangesQuery != "" || m.CountQuery != "" {
		return bad("changes_query and count_query go with thread_query; in table mode they are built from the mapping")
	}
	if m.Tickets.Table == "" || m.Messages.Table == "" {
		return bad("tickets.table and messages.table are required (or give thread_query and changes_query)")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&m.Tickets.ID, "id")
	def(&m.Tickets.UpdatedAt, "updated_at")
	def(&m.Messages.TicketID, "ticket_id")
	def(&m.Messages.Role, "role")
	def(&m.Messages.CreatedAt, "created_at")
	def(&m.Messages.Body, "body")
	for _, f := range []struct {
		field, name string
		qualified   bool
	}{
		{"tickets.table", m.Tickets.Table, true},
		{"tickets.id", m.Tickets.ID, false},
		{"tickets.subject", m.Tickets.Subject, false},
		{"tickets.product_line", m.Tickets.ProductLine, false},
		{"tickets.customer_name", m.Tickets.CustomerName, false},
		{"tickets.customer_email", m.Tickets.CustomerEmail, false},
		{"tickets.created_at", m.Tickets.CreatedAt, false},
		{"tickets.updated_at", m.Tickets.UpdatedAt, false},
		{"messages.table", m.Messages.Table, true},
		{"messages.ticket_id", m.Messages.TicketID, false},
		{"messages.role", m.Messages.Role, false},
		{"messages.author", m.Messages.Author, false},
		{"messages.created_at", m.Messages.CreatedAt, false},
		{"messages.id", m.Messages.ID, false},
		{"messages.body", m.Messages.Body, false},
	} {
		if f.name == "" {
			continue
		}
		if err := checkIdent(f.field, f.name, f.qualified); err != nil {
			return m, err
		}
	}
	for from, to := range m.Messages.Roles {
		if !ticketsum.Role(to).Valid() {
			return bad("messages.roles: %q maps to %q; want customer, agent or internal", from, to)
		}
	}
	return m, nil
}

// checkIdent accepts a plain identifier, or schema.name when qualified.
func checkIdent(field, name string, qualified bool) error {
	parts := []string{name}
	if qualified {
		parts = strings.Split(name, ".")
	}
	if len(parts) > 2 {
		return ticketsum.Errorf(ticketsum.EINVALID, "source config: %s %q: at most schema.name", field, name)
	}
	for _, p := range parts {
		if !identPart.MatchString(p) {
			return ticketsum.Errorf(ticketsum.EINVALID, "source config: %s %q: identifiers are letters, digits, '_' and '$', not starting with a digit, at most 63", field, name)
		}
	}
	return nil
}

// quoteIdent quotes a checked identifier, schema-qualified or not.
func quoteIdent(name string) string {
	return pgx.Identifier(strings.Split(name, ".")).Sanitize()
}

// checkStatement accepts one statement starting with one of the keywords.
// It is a first line of defence against a config that writes where it
// should read; the real one is that the team's queries run in read-only
// transactions.
func checkStatement(field, sql string, keywords ...string) error {
	s := strings.TrimSpace(sql)
	s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	if strings.Contains(s, ";") {
		return ticketsum.Errorf(ticketsum.EINVALID, "source config: %s must be a single statement (no ';' inside)", field)
	}
	first := strings.ToUpper(strings.SplitN(strings.Join(strings.Fields(s), " "), " ", 2)[0])
	for _, k := range keywords {
		if first == k {
			return nil
		}
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "source config: %s must start with %s", field, strings.Join(keywords, " or "))
}

// Validate checks the config without connecting, returning EINVALID naming
// the first bad value: for commands that want to fail before opening a
// database.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}
