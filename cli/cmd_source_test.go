package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/source"
)

func TestRDSPasswordMakesIAMTokens(t *testing.T) {
	t.Parallel()
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
	})
	w := &wiring{aws: &aws.Config{Region: "eu-west-1", Credentials: creds}}
	tests := []struct {
		name, url string
		want      ticketsum.ErrorCode
	}{
		{"tls and user", "postgres://ticketsum_app@db.abc.eu-west-1.rds.amazonaws.com:5432/support?sslmode=verify-full", ""},
		{"no tls", "postgres://ticketsum_app@db.example:5432/support?sslmode=disable", ticketsum.EINVALID},
		{"bad url", "postgres://%zz", ticketsum.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pw, err := w.rdsPassword(context.Background(), tt.url)
			if ticketsum.ErrorCodeOf(err) != tt.want {
				t.Fatalf("err = %v, want code %q", err, tt.want)
			}
			if err != nil {
				return
			}
			tok, err := pw(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse("https://" + tok)
			if err != nil {
				t.Fatalf("token %q is not a presigned URL: %v", tok, err)
			}
			q := u.Query()
			if u.Host != "db.abc.eu-west-1.rds.amazonaws.com:5432" || q.Get("Action") != "connect" || q.Get("DBUser") != "ticketsum_app" ||
				q.Get("X-Amz-Signature") == "" || !strings.Contains(q.Get("X-Amz-Credential"), "/eu-west-1/rds-db/") {
				t.Errorf("token = %q, want a connect token for the user signed for rds-db in eu-west-1", tok)
			}
			if strings.Contains(tok, "secret") {
				t.Error("the token holds the secret key")
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-01-31", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), true},
		{"2026-01-31T10:00:00Z", time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC), true},
		{"2026-01-31T10:00:00", time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"31/01/2026", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestProgressBarLine(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	var out strings.Builder
	b := newProgressBar(&out, func() time.Time { return now }, true)
	now = start.Add(10 * time.Second)
	// A resumed run: 200 were done before, 300 in this run's 10 seconds.
	b.update(source.Progress{Counts: source.Counts{Seen: 300}, Done: 500, Total: 1000})
	line := b.line(source.Progress{Counts: source.Counts{Seen: 300}, Done: 500, Total: 1000}, now)
	for _, want := range []string{"[###############...............]", "500/1000", "50.0%", "30/s", "ETA 17s"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	if !strings.HasPrefix(out.String(), "\r") {
		t.Errorf("the bar is not redrawn in place: %q", out.String())
	}
	unknown := b.line(source.Progress{Counts: source.Counts{Seen: 300}, Done: 500, Total: -1}, now)
	if strings.Contains(unknown, "ETA") || !strings.Contains(unknown, "500 done") {
		t.Errorf("line without a total = %q", unknown)
	}
}

// TestProgressBarInALog checks that off a terminal the progress is whole
// lines, at most one every progressEvery, never \r.
func TestProgressBarInALog(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	var out strings.Builder
	b := newProgressBar(&out, func() time.Time { return now }, false)
	for i := 1; i <= 30; i++ {
		now = start.Add(time.Duration(i) * time.Second)
		b.update(source.Progress{Counts: source.Counts{Seen: i}, Done: int64(i), Total: 30})
	}
	b.finish(source.Progress{Counts: source.Counts{Seen: 30}, Done: 30, Total: 30, Finished: true})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if strings.Contains(out.String(), "\r") || len(lines) != 4 { // at 10s, 20s, 30s and the end
		t.Fatalf("progress in a log = %q", out.String())
	}
	if !strings.Contains(lines[3], "30/30 100.0%") {
		t.Errorf("last line = %q", lines[3])
	}
}

func TestSourceCommandsNeedPostgresAndAMapping(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sqliteCfg := filepath.Join(dir, "a.yaml")
	os.WriteFile(sqliteCfg, []byte("db: "+filepath.Join(dir, "x.db")+"\n"), 0o644)
	r := run(t, context.Background(), "", "backfill", "--since", "2026-01-01", "--config", sqliteCfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "postgres://") {
		t.Errorf("backfill on SQLite: code %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, context.Background(), "", "backfill", "--config", sqliteCfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--since") {
		t.Errorf("backfill without --since: code %d, stderr %q", r.code, r.stderr)
	}
	bad := filepath.Join(dir, "b.yaml")
	os.WriteFile(bad, []byte("db: postgres://127.0.0.1/x\nsource:\n  tickets:\n    table: \"t; drop table t\"\n"), 0o644)
	r = run(t, context.Background(), "", "watch", "--once", "--config", bad)
	if r.code != exitUsage {
		t.Errorf("watch with a bad source section: code %d, stderr %q", r.code, r.stderr)
	}
}

func TestBackfillWatchAndTriggerCommands(t *testing.T) {
	base := os.Getenv("TICKETSUM_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TICKETSUM_TEST_DATABASE_URL is not set")
	}
	t.Parallel()
	ctx := context.Background()
	dbURL := mustScaleDatabase(t, base)
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 12
	mustTeamTickets(t, db, n)
	cfg := filepath.Join(t.TempDir(), "ticketsum.yaml")
	if err := os.WriteFile(cfg, []byte(scaleConfig(dbURL)+"  batch_size: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, ctx, "", "backfill", "--since", "2000-01-01", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stderr, "12/12 100.0%") || !strings.Contains(r.stdout, "12 queued") || strings.Contains(r.stderr, "12 queued") {
		t.Fatalf("backfill: code %d, stdout %q, stderr %q; want the progress on stderr, the result on stdout", r.code, r.stdout, r.stderr)
	}
	// By default the backfill also summarises what it copied, and waits.
	if got := count(t, db, `SELECT count(*) FROM ticketsum.tickets WHERE current_summary_id IS NOT NULL`); got != n || !strings.Contains(r.stdout, "summarised: 12 tickets, 0 failed") {
		t.Errorf("tickets summarised after backfill = %d, want %d; stdout %q", got, n, r.stdout)
	}
	// Run again: it continues from its cursor and finds nothing new.
	r = run(t, ctx, "", "backfill", "--since", "2000-01-01", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "0 queued") {
		t.Errorf("second backfill: code %d, stdout %q", r.code, r.stdout)
	}
	r = run(t, ctx, "", "backfill", "--since", "2001-01-01", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "restart") {
		t.Errorf("backfill with another since: code %d, stderr %q", r.code, r.stderr)
	}

	if r = run(t, ctx, "", "install-trigger", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "trigger installed") {
		t.Fatalf("install-trigger: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := count(t, db, `SELECT count(*) FROM pg_trigger WHERE tgname = 'ticketsum_notify_default'`); got != 2 {
		t.Errorf("triggers installed = %d, want 2 (tickets and messages)", got)
	}
	// The first watch starts its watermark; an edit after it is queued once.
	if r = run(t, ctx, "", "watch", "--once", "--config", cfg); r.code != exitOK {
		t.Fatalf("watch --once: code %d, stderr %q", r.code, r.stderr)
	}
	editTickets(t, db, 3, 3)
	r = run(t, ctx, "", "watch", "--once", "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 queued") {
		t.Errorf("watch --once after an edit: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r = run(t, ctx, "", "install-trigger", "--uninstall", "--config", cfg); r.code != exitOK {
		t.Fatalf("install-trigger --uninstall: code %d, stderr %q", r.code, r.stderr)
	}
	if got := count(t, db, `SELECT count(*) FROM pg_trigger WHERE tgname = 'ticketsum_notify_default'`); got != 0 {
		t.Errorf("triggers left = %d", got)
	}
}

// TestIAMAuthWithoutRegion: source.iam_auth on a machine with credentials
// but no AWS region is missing a setting, a runtime failure (exit 1, as for
// missing credentials), not bad input (exit 2), for each command that
// connects with it; the message names where a region can be set. No
// database is reached: the token cannot be made without a region.
func TestIAMAuthWithoutRegion(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	cfg := filepath.Join(dir, "ticketsum.yaml")
	body := scaleConfig("postgres://ticketsum@127.0.0.1:5432/ticketsum?sslmode=require") + "  iam_auth: true\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"watch", "--once"}, {"backfill", "--since", "2026-01-01"}} {
		r := run(t, context.Background(), "", append(args, "--config", cfg)...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "iam_auth needs an AWS region") ||
			!strings.Contains(r.stderr, "AWS_REGION") || !strings.Contains(r.stderr, "aws.region") {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 naming AWS_REGION and aws.region", args[0], r.code, r.stderr)
		}
	}
}
