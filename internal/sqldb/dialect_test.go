package sqldb_test

import (
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, q, sqlite, postgres string
	}{
		{"none", `SELECT 1`, `SELECT 1`, `SELECT 1`},
		{"in order", `UPDATE t SET a = ? WHERE b = ? AND c = ?`, `UPDATE t SET a = ? WHERE b = ? AND c = ?`, `UPDATE t SET a = $1 WHERE b = $2 AND c = $3`},
		{"ten and more", `VALUES (?,?,?,?,?,?,?,?,?,?,?)`, `VALUES (?,?,?,?,?,?,?,?,?,?,?)`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`},
		{"string literal", `SELECT '?' || ?, 'it''s ?' WHERE x = ?`, `SELECT '?' || ?, 'it''s ?' WHERE x = ?`, `SELECT '?' || $1, 'it''s ?' WHERE x = $2`},
		{"quoted identifier", `SELECT "a?b" FROM t WHERE id = ?`, `SELECT "a?b" FROM t WHERE id = ?`, `SELECT "a?b" FROM t WHERE id = $1`},
		{"comment", "SELECT ? -- why?\nFROM t WHERE id = ?", "SELECT ? -- why?\nFROM t WHERE id = ?", "SELECT $1 -- why?\nFROM t WHERE id = $2"},
		{"comment at end", "SELECT ? -- what?", "SELECT ? -- what?", "SELECT $1 -- what?"},
		{"unicode", `SELECT 'é' WHERE name = ?`, `SELECT 'é' WHERE name = ?`, `SELECT 'é' WHERE name = $1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sqldb.SQLite.Rebind(tt.q); got != tt.sqlite {
				t.Errorf("SQLite.Rebind(%q) = %q, want %q", tt.q, got, tt.sqlite)
			}
			if got := sqldb.Postgres.Rebind(tt.q); got != tt.postgres {
				t.Errorf("Postgres.Rebind(%q) = %q, want %q", tt.q, got, tt.postgres)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    sqldb.Dialect
		want ticketsum.ErrorCode
	}{
		{sqldb.SQLite, ""},
		{sqldb.Postgres, ""},
		{"sqlite", ""},
		{"mysql", ticketsum.EINVALID},
		{"", ticketsum.EINVALID},
		{"Postgres", ticketsum.EINVALID},
	}
	for _, tt := range tests {
		if got := ticketsum.ErrorCodeOf(tt.d.Validate()); got != tt.want {
			t.Errorf("Dialect(%q).Validate() code = %q, want %q", string(tt.d), got, tt.want)
		}
	}
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ?`, `'?'`, `"?`, `--?`, `?'?'?`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if got := sqldb.SQLite.Rebind(q); got != q {
			t.Fatalf("SQLite.Rebind changed %q to %q", q, got)
		}
		got := sqldb.Postgres.Rebind(q)
		if len(got) < len(q) {
			t.Fatalf("Postgres.Rebind(%q) = %q, shorter than its input", q, got)
		}
	})
}
