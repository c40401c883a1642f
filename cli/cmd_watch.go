package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/source"
)

// SourceConfig is the `source:` section: where the team's own tickets are
// (see source.Mapping and docs/postgres.md) and how they are watched.
type SourceConfig struct {
	source.Mapping `yaml:",inline"`
	// Name tells apart several sources feeding one store (default "default").
	Name string `yaml:"name"`
	// PollInterval is how often the watcher looks for changes (default 15s).
	PollInterval time.Duration `yaml:"poll_interval"`
	// Debounce is the least time between two summaries of one ticket
	// (default 5m; negative: none).
	Debounce time.Duration `yaml:"debounce"`
	// BatchSize is how many tickets a page reads (default 500).
	BatchSize int `yaml:"batch_size"`
	// Channel is the NOTIFY channel of install-trigger (default
	// "ticketsum_source").
	Channel string `yaml:"channel"`
	// IAMAuth connects to Postgres (RDS, Aurora) with IAM authentication
	// tokens made from the AWS credentials instead of a password; the URL
	// names the user and must use TLS (sslmode=verify-full). Default false.
	IAMAuth bool `yaml:"iam_auth"`
}

// configured reports whether the config has a source mapping.
func (c SourceConfig) configured() bool {
	return c.Tickets.Table != "" || c.Messages.Table != "" || c.ThreadQuery != ""
}

// sourceQueue is the River queue the summarise jobs go to: the queue
// package's default, which the workers run.
const sourceQueue = "ticketsum"

// sourceUniqueStates mirror the queue package's: a job is unique on ticket
// and content hash while it waits, runs or is due for a retry.
var sourceUniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// sourceBackend is the store, an insert-only queue and the source on them.
type sourceBackend struct {
	store *postgres.Store
	src   *source.Source
}

// errSourceNeedsPostgres is the message for a source command run on a
// store that is not Postgres: it names the settings that point db there.
const errSourceNeedsPostgres = "the source needs db to be the team's Postgres database (a postgres:// URL): set it with --db postgres://..., TICKETSUM_DB or db in the configuration, and map the tables in its source section (docs/postgres.md)"

// openSource opens ticketsum's Postgres store (with IAM tokens when
// configured), an insert-only River queue on it and the team's source.
func (w *wiring) openSource(ctx context.Context, needMapping bool) (*sourceBackend, error) {
	if !strings.HasPrefix(w.cfg.DB, "postgres://") && !strings.HasPrefix(w.cfg.DB, "postgresql://") {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s", errSourceNeedsPostgres)
	}
	if needMapping && !w.cfg.Source.configured() {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "config has no source section (tickets and messages tables, or thread_query): see docs/postgres.md")
	}
	sc := w.cfg.Source
	scfg := source.Config{
		Mapping: sc.Mapping, Name: sc.Name, PollInterval: sc.PollInterval, Debounce: sc.Debounce,
		BatchSize: sc.BatchSize, Channel: sc.Channel, Logger: w.logger,
	}
	if err := scfg.Validate(); err != nil {
		return nil, err
	}
	pcfg, err := w.postgresConfig(ctx)
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { st.Close(); return nil })
	q, err := queue.NewPostgres(ctx, st, queue.Config{Logger: w.queueLogger(), Middleware: w.queueMiddleware()})
	if err != nil {
		return nil, err
	}
	scfg.Enqueue = riverEnqueue(q.Client())
	src, err := source.Open(ctx, st, scfg)
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { src.Close(); return nil })
	return &sourceBackend{store: st, src: src}, nil
}

// riverEnqueue inserts summarise jobs with River in the caller's
// transaction, unique on ticket and content hash, scheduled at runAt.
func riverEnqueue(client *river.Client[pgx.Tx]) source.EnqueueFunc {
	return func(ctx context.Context, tx pgx.Tx, ticketID, contentHash string, runAt time.Time) error {
		opts := &river.InsertOpts{
			Queue:      sourceQueue,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: sourceUniqueStates},
		}
		// River makes any job with a ScheduledAt wait for its leader's
		// scheduler (every 5s): set it only for a time still ahead.
		if runAt.After(time.Now()) {
			opts.ScheduledAt = runAt
		}
		_, err := client.InsertTx(ctx, tx, queue.SummarizeArgs{TicketID: ticketID, ContentHash: contentHash}, opts)
		return err
	}
}

// rdsPassword returns a postgres.Config.Password that makes an RDS IAM
// authentication token (valid 15 minutes) for each new connection, for the
// URL's host, port and user, signed with the AWS credentials.
func (w *wiring) rdsPassword(ctx context.Context, url string) (func(context.Context) (string, error), error) {
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "postgres URL cannot be parsed")
	}
	if pc.TLSConfig == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "iam_auth needs TLS: use sslmode=verify-full with sslrootcert set to the RDS CA bundle")
	}
	if pc.User == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "iam_auth needs the database user in the URL")
	}
	awsCfg, err := w.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	if awsCfg.Region == "" {
		// A region the environment lacks is a setting to add, like missing
		// credentials (exit 1), not bad input.
		return nil, ticketsum.WithClass(ticketsum.Errorf(ticketsum.EINVALID,
			"iam_auth needs an AWS region: set AWS_REGION, a region in the AWS profile (~/.aws/config), or aws.region in the ticketsum configuration"),
			ticketsum.ClassConfig)
	}
	endpoint := fmt.Sprintf("%s:%d", pc.Host, pc.Port)
	region, user, creds := awsCfg.Region, pc.User, awsCfg.Credentials
	return func(ctx context.Context) (string, error) {
		tok, err := auth.BuildAuthToken(ctx, endpoint, region, user, creds)
		if err != nil {
			return "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "make RDS IAM auth token: %w", err)
		}
		return tok, nil
	}, nil
}

// sourceWriteBack returns the function the worker calls after each saved
// summary to write it to the team's table with source.write_back, or a
// no-op when none is configured.
func (w *wiring) sourceWriteBack(ctx context.Context, store ticketsum.Store) (func(ctx context.Context, ticketID string) error, error) {
	noop := func(context.Context, string) error { return nil }
	if w.cfg.Source.WriteBack == "" {
		return noop, nil
	}
	st, ok := store.(*postgres.Store)
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "source.write_back needs db to be the team's Postgres database")
	}
	sc := w.cfg.Source
	src, err := source.Open(ctx, st, source.Config{Mapping: sc.Mapping, Name: sc.Name, Channel: sc.Channel, Logger: w.logger})
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { src.Close(); return nil })
	return src.WriteBack, nil
}

// newWatchCmd is `ticketsum watch`.
func newWatchCmd(e *env) *cobra.Command {
	var once bool
	var poll time.Duration
	cmd := &cobra.Command{
		Use:     "watch",
		GroupID: groupSource,
		Short:   "Copy new and changed tickets from your Postgres tables and queue them",
		Long: `Watch the team's own tickets tables (the source section of the config) and copy
each new or changed ticket into ticketsum's store, queueing it for a summary,
until SIGINT or SIGTERM. It wakes on the NOTIFY trigger (install-trigger) or
polls; one watcher at a time holds a source, others stand by. See
docs/postgres.md.`,
		Example: `  ticketsum watch
  ticketsum watch --once        # copy the changes since the last run, then exit
  ticketsum watch --poll 1m`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("poll") && poll < 10*time.Millisecond {
				return usagef("--poll: must be at least 10ms, got %v", poll)
			}
			cfg, err := e.load(cmd, bind{"poll", "source.poll_interval", func(c *Config) { c.Source.PollInterval = poll }})
			if err != nil {
				return err
			}
			return e.watch(cmd.Context(), cfg, once)
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().BoolVar(&once, "once", false, "copy the changes since the last run, then exit")
	cmd.Flags().DurationVar(&poll, "poll", 0, "poll `INTERVAL` (default source.poll_interval in the config, 15s)")
	return cmd
}

// watch copies the source's changes, once or until ctx ends.
func (e *env) watch(ctx context.Context, cfg Config, once bool) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	sb, err := w.openSource(ctx, true)
	if err != nil {
		return err
	}
	if once {
		res, err := sb.src.Poll(ctx)
		fmt.Fprintf(e.stdout, "watch: %s changed: %d queued, %d unchanged, %d skipped\n", plural(res.Seen, "ticket"), res.Queued, res.Unchanged, res.Skipped)
		if res.Standby {
			fmt.Fprintln(e.stdout, "watch: another watcher holds the source; nothing done")
		}
		return err
	}
	w.logger.Info("watching source", "source", sourceName(cfg.Source))
	return sb.src.Watch(ctx)
}

// sourceName is the source's name as the source package defaults it.
func sourceName(sc SourceConfig) string {
	if sc.Name == "" {
		return "default"
	}
	return sc.Name
}
