package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/internal/sqldb"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/redislimit"
	"github.com/ticketsum/ticketsum/sqlite"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// GovernanceConfig configures the governance wrappers every model call
// passes through: the guard, access control and budgets, the encrypted
// invocation log and the audit trail.
type GovernanceConfig struct {
	// LogDir holds the encrypted invocation log (default logs/ in the data
	// directory).
	LogDir string `yaml:"log_dir"`
	// LogKeyFile is the local key that wraps the log's data keys (default
	// keys/log.key in the data directory, apart from the ciphertext;
	// created 0600 on first use). Ignored with KMSKeyID.
	LogKeyFile string `yaml:"log_key_file"`
	// KMSKeyID wraps the log's data keys with AWS KMS instead of a key file.
	KMSKeyID string `yaml:"kms_key_id"`
	// S3Bucket writes the invocation log to S3 instead of LogDir.
	S3Bucket string `yaml:"s3_bucket"`
	// S3Prefix is the key prefix in S3Bucket (default "invocation-logs/").
	S3Prefix string `yaml:"s3_prefix"`
	// SigningKeyFile is the Ed25519 key that signs the audit trail's digests
	// (default keys/audit.key in the data directory; created 0600 on first
	// use).
	SigningKeyFile string `yaml:"signing_key_file"`
	// SigningKeyFingerprint pins the signing key (`ticketsum audit key`
	// prints it): a process whose key file differs refuses to start and
	// `audit verify` fails a trail re-signed with another key. Default
	// none: the key file's own key is trusted.
	SigningKeyFingerprint string `yaml:"signing_key_fingerprint"`
	// AnchorBucket receives a copy of every audit digest, which `audit
	// verify` compares with the trail (use a bucket with S3 Object Lock).
	// Default: s3_bucket when set, else no anchor.
	AnchorBucket string `yaml:"anchor_bucket"`
	// AnchorPrefix is the key prefix of the digests (default
	// "audit-digests/").
	AnchorPrefix string `yaml:"anchor_prefix"`
	// TrailCommit is what the audit trail's commit of model calls'
	// records waits for on Postgres: "flushed" (default) waits for the WAL
	// flush; "async" does not, so a crash of Postgres or its host (not of
	// serve) can lose the last ~600 ms of answered calls' records and
	// charges (audit.CommitAsync). On SQLite both are the store's
	// synchronous=NORMAL, which gives async's guarantee.
	TrailCommit string `yaml:"trail_commit"`
	// SpoolDir keeps, encrypted, the records the invocation log or the
	// audit trail could not take, until they can (default spool/ in the data
	// directory, its key keys/spool.key).
	SpoolDir string `yaml:"spool_dir"`
	// OmitBodies logs tokens, cost and outcome but no prompt or answer text.
	OmitBodies bool `yaml:"omit_bodies"`
	// WorkerMonthlyBudgetUSD is the former name of
	// principals.worker.monthly_budget_usd, used when that is not set
	// (default 100).
	WorkerMonthlyBudgetUSD float64 `yaml:"worker_monthly_budget_usd"`
	// PhoneRegion is the default region for phone numbers without a country
	// code (default "US").
	PhoneRegion string `yaml:"phone_region"`
}

// governanceConfig returns the governance settings with defaults filled
// in: every file in the data directory, the keys apart from the log.
func (c *Config) governanceConfig() GovernanceConfig {
	g := c.Governance
	if g.LogDir == "" {
		g.LogDir = filepath.Join(c.DataDir, "logs")
	}
	if g.LogKeyFile == "" {
		g.LogKeyFile = filepath.Join(c.DataDir, "keys", "log.key")
	}
	if g.SigningKeyFile == "" {
		g.SigningKeyFile = filepath.Join(c.DataDir, "keys", "audit.key")
	}
	if g.AnchorBucket == "" {
		g.AnchorBucket = g.S3Bucket
	}
	if g.SpoolDir == "" {
		g.SpoolDir = filepath.Join(c.DataDir, "spool")
	}
	g.PhoneRegion = g.phoneRegion()
	return g
}

// phoneRegion returns the default phone region (default "US").
func (g GovernanceConfig) phoneRegion() string {
	if g.PhoneRegion == "" {
		return "US"
	}
	return g.PhoneRegion
}

// governanceDB opens the database that holds the access_ and audit_
// tables: the configured store's database, on a pool of its own.
func (w *wiring) governanceDB() (*sql.DB, access.Dialect, error) {
	if isPostgres(w.cfg.DB) {
		cc, err := pgx.ParseConfig(w.cfg.DB)
		if err != nil {
			return nil, "", ticketsum.Errorf(ticketsum.EINVALID, "db: the Postgres URL cannot be parsed")
		}
		if cc.RuntimeParams["search_path"] == "" {
			cc.RuntimeParams["search_path"] = "ticketsum"
		}
		// The access_ and audit_ tables live in the first schema of the
		// search path; a governance command run before the store was ever
		// opened (models approve on a fresh database) creates it.
		schema := strings.TrimSpace(strings.Split(cc.RuntimeParams["search_path"], ",")[0])
		opts := []stdlib.OptionOpenDB{stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			return ensureSchema(ctx, c, schema)
		})}
		if w.cfg.Source.IAMAuth {
			token, err := w.rdsPassword(context.Background(), w.cfg.DB)
			if err != nil {
				return nil, "", err
			}
			opts = append(opts, stdlib.OptionBeforeConnect(func(ctx context.Context, c *pgx.ConnConfig) error {
				pw, err := token(ctx)
				c.Password = pw
				return err
			}))
		}
		db := stdlib.OpenDB(*cc, opts...)
		db.SetMaxOpenConns(4)
		return db, access.Postgres, nil
	}
	if err := privateFiles(w.cfg.DB, w.cfg.DB+"-wal", w.cfg.DB+"-shm"); err != nil {
		return nil, "", err
	}
	db, err := sql.Open("sqlite", "file:"+w.cfg.DB+"?"+sqldb.SQLiteServeOptions)
	if err != nil {
		return nil, "", fmt.Errorf("open governance database: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := sqlite.Connect(context.Background(), db, 10*time.Second); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("open governance database: %w", err)
	}
	return db, access.SQLite, nil
}

// ensureSchema creates schema when it does not exist (checked first, so
// that a role without CREATE on the database can use an existing schema).
func ensureSchema(ctx context.Context, c *pgx.Conn, schema string) error {
	schema = strings.Trim(schema, `"`)
	if schema == "" || schema == "$user" {
		return nil
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
		return fmt.Errorf("look up schema %s: %w", schema, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := c.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// requireStore returns ENOTFOUND, saying to run `ticketsum init`, when the
// configured store does not exist: no SQLite file, or a Postgres database
// without the schema ticketsum's tables live in. It creates nothing, so
// that commands that only read never leave a store or a data directory
// behind.
func (w *wiring) requireStore(ctx context.Context) error {
	if !isPostgres(w.cfg.DB) {
		_, err := os.Stat(w.cfg.DB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, os.ErrNotExist):
			return noStore(w.cfg.DB)
		}
		return ticketsum.Errorf(ticketsum.EINVALID, "store %s: %v", w.cfg.DB, unwrapPathError(err))
	}
	// One connection of its own: the governance pool creates the schema.
	cc, err := pgx.ParseConfig(w.cfg.DB)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "db: the Postgres URL cannot be parsed")
	}
	schema := "ticketsum"
	if sp := cc.RuntimeParams["search_path"]; sp != "" {
		schema = strings.Trim(strings.TrimSpace(strings.Split(sp, ",")[0]), `"`)
	}
	if w.cfg.Source.IAMAuth {
		token, err := w.rdsPassword(ctx, w.cfg.DB)
		if err != nil {
			return err
		}
		if cc.Password, err = token(ctx); err != nil {
			return err
		}
	}
	c, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "store %s: %v", redactDSN(w.cfg.DB), err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "store %s: %v", redactDSN(w.cfg.DB), err)
	}
	if n == 0 {
		return noStore(fmt.Sprintf("%s (the database has no schema %s)", redactDSN(w.cfg.DB), schema))
	}
	return nil
}

// noStore is the error of a command that reads a store that does not exist.
func noStore(where string) error {
	return ticketsum.Errorf(ticketsum.ENOTFOUND, "no store at %s: run `ticketsum init` to create one, or give --data-dir or --db of an existing store", where)
}

// redactDSN returns a database URL without its password.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the configured Postgres database"
	}
	return u.Redacted()
}

// isPostgres reports whether dsn is a Postgres URL.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// governance opens the guard, access control, invocation log and audit
// trail once, and builds the gateway wrappers in their one order:
//
//	outer: audit trail -> access (allow-list, approved model, budget) -> guard (redact input, check output)
//	inner (per attempt, fallbacks included): access authorisation -> encrypted invocation log
func (w *wiring) governance(ctx context.Context) (*app.Governance, error) {
	if w.gov != nil {
		return w.gov, nil
	}
	gc := w.cfg.governanceConfig()
	if err := w.ensureDataDir(); err != nil {
		return nil, err
	}
	if err := w.settingDir("governance.signing_key_file", filepath.Dir(gc.SigningKeyFile)); err != nil {
		return nil, err
	}
	g, err := w.newGuard()
	if err != nil {
		return nil, err
	}
	db, dialect, err := w.governanceDB()
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, db.Close)
	spool, err := w.spool()
	if err != nil {
		return nil, err
	}
	sink, err := w.invocationSink(ctx, spool)
	if err != nil {
		return nil, err
	}
	anchor, err := w.anchor(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := w.catalogue()
	if err != nil {
		return nil, err
	}
	fleet, err := w.fleetLimiter(ctx)
	if err != nil {
		return nil, err
	}
	gcfg := app.GovernanceConfig{
		DB: db, Dialect: dialect, Guard: g, Log: sink, Spool: spool, OmitBodies: gc.OmitBodies,
		SigningKeyFile: gc.SigningKeyFile, PinnedKey: gc.SigningKeyFingerprint, Anchor: anchor, Catalogue: cat, Logger: w.logger,
		TrailCommit: audit.TrailCommit(gc.TrailCommit),
	}
	if fleet != nil {
		gcfg.Limiter = fleet
	}
	gov, err := app.NewGovernance(ctx, gcfg)
	if err != nil {
		return nil, err
	}
	// Every command that opened governance flushes it on the way out:
	// budget settlements, the log's batch, the spool, and a digest over
	// the records it appended (closers run last opened first, so this runs
	// before the sink and the database close).
	w.closers = append(w.closers, func() error {
		cctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		return gov.Close(cctx)
	})
	w.gov = gov
	w.declarePrincipals(gov)
	return gov, nil
}

// spool opens the local spool of records that the invocation log or the
// audit trail could not take, with a key of its own in the keys directory.
func (w *wiring) spool() (*audit.Spool, error) {
	gc := w.cfg.governanceConfig()
	key, err := audit.NewLocalKeyWrapper(filepath.Join(filepath.Dir(gc.SigningKeyFile), "spool.key"))
	if err != nil {
		return nil, err
	}
	if err := w.settingDir("governance.spool_dir", gc.SpoolDir); err != nil {
		return nil, err
	}
	return audit.NewSpool(audit.SpoolConfig{Dir: gc.SpoolDir, Wrapper: key, Logger: w.logger})
}

// anchor returns the S3 copy of the audit digests, nil without a bucket.
func (w *wiring) anchor(ctx context.Context) (audit.Anchor, error) {
	gc := w.cfg.governanceConfig()
	if gc.AnchorBucket == "" {
		return nil, nil
	}
	awsCfg, err := w.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return audit.NewS3Anchor(audit.S3AnchorConfig{Client: s3.NewFromConfig(*awsCfg), Bucket: gc.AnchorBucket, Prefix: gc.AnchorPrefix})
}

// verifyTrail opens the audit trail for verification only: it appends
// nothing and never creates a signing key. The key it trusts is the pinned
// fingerprint, else the signing key file when there is one.
func (w *wiring) verifyTrail(ctx context.Context) (*audit.Trail, error) {
	gc := w.cfg.governanceConfig()
	db, dialect, err := w.governanceDB()
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, db.Close)
	anchor, err := w.anchor(ctx)
	if err != nil {
		return nil, err
	}
	cfg := audit.TrailConfig{DB: db, Dialect: audit.Dialect(dialect), PinnedKey: gc.SigningKeyFingerprint, Anchor: anchor, NoSigning: true, Logger: w.logger}
	if _, err := os.Stat(gc.SigningKeyFile); gc.SigningKeyFingerprint == "" && err == nil {
		cfg.NoSigning, cfg.SigningKeyFile = false, gc.SigningKeyFile
	}
	t, err := audit.NewTrail(cfg)
	if err != nil {
		return nil, err
	}
	return t, t.Migrate(ctx)
}

// invocationSink opens the encrypted invocation log: S3 or a local
// directory, with data keys wrapped by KMS or a local key file.
func (w *wiring) invocationSink(ctx context.Context, spool *audit.Spool) (audit.Sink, error) {
	gc := w.cfg.governanceConfig()
	wrapper, err := w.keyWrapper(ctx)
	if err != nil {
		return nil, err
	}
	if gc.S3Bucket != "" {
		awsCfg, err := w.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		sink, err := audit.NewS3Sink(audit.S3SinkConfig{Client: s3.NewFromConfig(*awsCfg), Bucket: gc.S3Bucket, Prefix: gc.S3Prefix,
			Wrapper: wrapper, Spool: spool, Logger: w.logger})
		if err != nil {
			return nil, err
		}
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		go sink.Run(runCtx)
		w.closers = append(w.closers, func() error {
			cancel()
			sctx, done := context.WithTimeout(context.Background(), 30*time.Second)
			defer done()
			return sink.Close(sctx)
		})
		return sink, nil
	}
	if err := w.settingDir("governance.log_dir", gc.LogDir); err != nil {
		return nil, err
	}
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: gc.LogDir, Wrapper: wrapper, Logger: w.logger})
	if err != nil {
		return nil, err
	}
	w.closers = append(w.closers, func() error { return sink.Close(context.Background()) })
	return sink, nil
}

// keyWrapper returns what wraps the invocation log's data keys: AWS KMS
// when a key id is configured, else the local key file.
func (w *wiring) keyWrapper(ctx context.Context) (audit.KeyWrapper, error) {
	gc := w.cfg.governanceConfig()
	if gc.KMSKeyID != "" {
		awsCfg, err := w.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return audit.NewKMSKeyWrapper(kms.NewFromConfig(*awsCfg), gc.KMSKeyID, w.logger)
	}
	if err := w.settingDir("governance.log_key_file", filepath.Dir(gc.LogKeyFile)); err != nil {
		return nil, err
	}
	return audit.NewLocalKeyWrapper(gc.LogKeyFile)
}

// newGuard returns a guard with the configured policy. The prompt's own
// fencing tags are trusted; the prompt escapes look-alikes in ticket text.
// It checks a text as long as the larger of max_ticket_bytes and
// server.max_chat_body_bytes: no message of a ticket or chat request those
// accept is longer, so raising either is enough (the check's time grows
// linearly with the text), and a longer text (a prompt rendered around
// one) is refused naming both.
func (w *wiring) newGuard() (*guard.Guard, error) {
	return guard.New(guard.Config{
		PhoneRegion:  w.cfg.Governance.phoneRegion(),
		TrustedTags:  []string{"<ticket>", "</ticket>", "</message>", "<example>", "</example>", "<part>", "</part>", "<kb_article>", "</kb_article>"},
		MaxTextBytes: int(max(w.cfg.MaxTicketBytes, w.cfg.Server.MaxChatBodyBytes)),
		LimitHint:    "the guard checks a text up to the larger of max_ticket_bytes (TICKETSUM_MAX_TICKET_BYTES) and server.max_chat_body_bytes (TICKETSUM_MAX_CHAT_BODY_BYTES); raise one of them",
		Logger:       w.logger,
	})
}

// piiChecker returns the guard's PII check for prompt output checks and eval.
func (w *wiring) piiChecker() prompt.PIIChecker {
	g, err := w.newGuard()
	if err != nil {
		return nil
	}
	return func(t *ticketsum.Ticket, text string) []string {
		var types []string
		for _, f := range g.Detect(g.NewSession(t), text) {
			types = append(types, string(f.Type))
		}
		return types
	}
}

// metrics returns the process's Prometheus metrics, created once; the
// gateway reports model calls to it and it reads the queue on each scrape.
func (w *wiring) metrics() (*metrics.Metrics, error) {
	if w.prom == nil {
		m, err := metrics.New(metrics.Config{Runtime: true, Logger: w.logger})
		if err != nil {
			return nil, err
		}
		w.prom = m
	}
	return w.prom, nil
}

// runDigests signs the audit trail's new records periodically, and
// writes spooled records again, until ctx ends or the wiring closes, when
// it signs the last ones; Close waits for that before it closes the store.
// It does nothing before governance is open (the built-in model makes no
// governed calls).
func (w *wiring) runDigests(ctx context.Context) {
	if w.gov == nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := w.gov.Trail.Run(ctx); err != nil {
			w.logger.Error("sign audit trail digest", "code", string(ticketsum.ErrorCodeOf(err)))
		}
	}()
	go func() {
		defer wg.Done()
		if err := w.gov.RunSpool(ctx); err != nil {
			w.logger.Error("spooled audit records not written", "code", string(ticketsum.ErrorCodeOf(err)))
		}
	}()
	w.closers = append(w.closers, func() error {
		cancel()
		wg.Wait()
		return nil
	})
}

// fleetLimiter opens the Redis limiter of limits.redis_url once, or
// returns nil without one.
func (w *wiring) fleetLimiter(ctx context.Context) (*redislimit.Limiter, error) {
	if w.cfg.Limits.RedisURL == "" || w.fleet != nil {
		return w.fleet, nil
	}
	l, err := redislimit.New(redislimit.Config{URL: w.cfg.Limits.RedisURL})
	if err != nil {
		return nil, err
	}
	if err := l.Ping(ctx); err != nil {
		l.Close()
		return nil, err
	}
	w.closers = append(w.closers, l.Close)
	w.fleet = l
	return l, nil
}
