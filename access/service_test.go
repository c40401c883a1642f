package access_test

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

const haiku = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"

func TestCreateKeyFormatAndStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, path := dbtest.SQLiteFile(t)
	svc, err := access.NewService(access.Config{Store: MustStore(t, db, access.SQLite), Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", MonthlyBudgetUSD: 5}); err != nil {
		t.Fatal(err)
	}
	raw, k, err := svc.CreateKey(ctx, "admin", "team-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^tks_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$`).MatchString(raw) {
		t.Fatalf("key %q does not have the format tks_<8>_<43>", raw)
	}
	if !strings.HasPrefix(raw, "tks_"+k.Prefix+"_") {
		t.Errorf("key prefix %q is not the stored prefix", k.Prefix)
	}
	if got, want := k.ExpiresAt.Sub(k.CreatedAt), 90*24*time.Hour; got != want {
		t.Errorf("default ttl = %v, want %v", got, want)
	}
	db.Close() // flush WAL so the scan sees everything
	secret := raw[len("tks_")+9:]
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s contains the key secret in plain text", f)
		}
	}
}

func TestAuthenticateMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clock, _ := MustService(t)
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 5}); err != nil {
		t.Fatal(err)
	}
	good, _, err := svc.CreateKey(ctx, "admin", "team-a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	revoked, rk, _ := svc.CreateKey(ctx, "admin", "team-a", time.Hour)
	if err := svc.RevokeKey(ctx, "admin", rk.Prefix); err != nil {
		t.Fatal(err)
	}
	expiring, _, _ := svc.CreateKey(ctx, "admin", "team-a", time.Minute)
	clock.Add(2 * time.Minute)
	// Same prefix as a real key, different secret.
	forged := good[:len("tks_")+9] + strings.Repeat("A", 43)
	unknown := "tks_aaaaaaaa_" + strings.Repeat("B", 43)

	tests := []struct {
		name, key, wantMsg string
		wantCode           ticketsum.ErrorCode
	}{
		{"valid", good, "", ""},
		{"no key", "", "no API key", ticketsum.EUNAUTHORIZED},
		{"malformed", "sk-123", "malformed", ticketsum.EUNAUTHORIZED},
		{"unknown prefix", unknown, "not valid", ticketsum.EUNAUTHORIZED},
		{"wrong secret", forged, "not valid", ticketsum.EUNAUTHORIZED},
		{"revoked", revoked, "was revoked", ticketsum.EUNAUTHORIZED},
		{"expired", expiring, "expired on", ticketsum.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := svc.Authenticate(ctx, tt.key)
			if code := ticketsum.ErrorCodeOf(err); code != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", code, err, tt.wantCode)
			}
			if err == nil {
				if p.Name != "team-a" {
					t.Errorf("principal = %q, want team-a", p.Name)
				}
				return
			}
			msg := ticketsum.ErrorMessage(err)
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMsg)
			}
			if len(tt.key) > 13 && strings.Contains(msg, tt.key[13:]) {
				t.Errorf("message %q echoes the key secret", msg)
			}
		})
	}
}

func TestPrincipalValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    access.Principal
		ok   bool
	}{
		{"good", access.Principal{Name: "team-a", Models: []string{"bedrock:anthropic.claude-*"}, MonthlyBudgetUSD: 10}, true},
		{"empty name", access.Principal{}, false},
		{"upper case", access.Principal{Name: "Team"}, false},
		{"negative budget", access.Principal{Name: "a", MonthlyBudgetUSD: -1}, false},
		{"negative rpm", access.Principal{Name: "a", RequestsPerMinute: -1}, false},
		{"bad glob", access.Principal{Name: "a", Models: []string{"bedrock:[claude"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("code = %q, want invalid", ticketsum.ErrorCodeOf(err))
			}
		})
	}
}

func TestAllowListGlobs(t *testing.T) {
	t.Parallel()
	p := access.Principal{Name: "a", Models: []string{"bedrock:anthropic.claude-*", "openai:gpt-4o-mini"}}
	tests := []struct {
		model string
		want  bool
	}{
		{haiku, true},
		{"bedrock:amazon.nova-lite-v1:0", false},
		{"openai:gpt-4o-mini", true},
		{"openai:gpt-4o", false},
	}
	for _, tt := range tests {
		if got := p.Allows(tt.model); got != tt.want {
			t.Errorf("Allows(%q) = %v, want %v", tt.model, got, tt.want)
		}
	}
}

func TestAdminActionsAreRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, rec := MustService(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.CreatePrincipal(ctx, "alice", &access.Principal{Name: "team-a"}))
	_, k, err := svc.CreateKey(ctx, "alice", "team-a", 0)
	must(err)
	must(svc.RevokeKey(ctx, "alice", k.Prefix))
	must(svc.ApproveModel(ctx, "alice", haiku, "eval run 7"))
	must(svc.RevokeModel(ctx, "alice", haiku))
	want := []string{"principal.create team-a", "key.create " + k.Prefix, "key.revoke " + k.Prefix, "model.approve " + haiku, "model.revoke " + haiku}
	if len(rec.events) != len(want) {
		t.Fatalf("recorded %d events, want %d: %v", len(rec.events), len(want), rec.events)
	}
	for i, e := range rec.events {
		if got := e.action + " " + e.target; got != want[i] || e.actor != "alice" {
			t.Errorf("event %d = %s by %s, want %s by alice", i, got, e.actor, want[i])
		}
	}
	if err := svc.RevokeModel(ctx, "alice", haiku); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("revoking a model twice: %v, want not_found", err)
	}
}

// TestKeyWithoutAuditRecordIsUnusable creates a key while the audit trail
// refuses records: the command fails, gives no key, and the key it stored
// is revoked; once the trail takes records again, a new key works.
func TestKeyWithoutAuditRecordIsUnusable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, rec := MustService(t)
	if err := svc.CreatePrincipal(ctx, "alice", &access.Principal{Name: "team-a"}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	rec.fail = ticketsum.Errorf(ticketsum.EUNAVAILABLE, "append audit event key.create: database or disk is full")
	rec.mu.Unlock()
	raw, k, err := svc.CreateKey(ctx, "alice", "team-a", 0)
	if err == nil || raw != "" || k != nil {
		t.Fatalf("CreateKey with the trail refusing = %q, %v, %v; want an error and no key", raw, k, err)
	}
	keys, err := svc.ListKeys(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.RevokedAt.IsZero() {
			t.Errorf("key %s is usable but its creation is not in the audit trail", k.Prefix)
		}
	}
	rec.mu.Lock()
	rec.fail = nil
	rec.mu.Unlock()
	raw, _, err = svc.CreateKey(ctx, "alice", "team-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, raw); err != nil {
		t.Errorf("a key created with the trail working does not authenticate: %v", err)
	}
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.SQLiteFile(t)
	s := MustStore(t, db, access.SQLite)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	dbtest.AssertMigrated(t, db, "access_schema_migrations")
}

func TestNewServiceRejectsBadConfig(t *testing.T) {
	t.Parallel()
	if _, err := access.NewService(access.Config{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("no store: %v, want invalid", err)
	}
	if _, err := access.NewSQLStore(nil, access.SQLite); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("nil db: %v, want invalid", err)
	}
	db, _ := dbtest.SQLiteFile(t)
	if _, err := access.NewSQLStore(db, "mysql"); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("bad dialect: %v, want invalid", err)
	}
}

// TestSessionsEndAndExpire: a web session is open from StartSession until
// EndSession or its expiry; an unknown one is not open.
func TestSessionsEndAndExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, clock, _ := MustService(t)
	open := func(id string) bool {
		t.Helper()
		ok, err := svc.SessionOpen(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if err := svc.StartSession(ctx, "s-1", "pm@example.com", clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := svc.StartSession(ctx, "s-2", "pm@example.com", clock.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !open("s-1") || !open("s-2") || open("s-unknown") {
		t.Fatal("started sessions not open, or an unknown one open")
	}
	if err := svc.EndSession(ctx, "s-1"); err != nil {
		t.Fatal(err)
	}
	if open("s-1") || !open("s-2") {
		t.Error("ending s-1: want it closed and s-2 open")
	}
	clock.Add(2 * time.Hour)
	if open("s-2") {
		t.Error("s-2 open after its expiry")
	}
}
