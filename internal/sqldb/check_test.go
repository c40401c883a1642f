package sqldb_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	tests := []struct {
		name string
		db   *sql.DB
		d    sqldb.Dialect
		want ticketsum.ErrorCode
	}{
		{"sqlite", db, sqldb.SQLite, ""},
		{"postgres", db, sqldb.Postgres, ""},
		{"no db", nil, sqldb.SQLite, ticketsum.EINVALID},
		{"bad dialect", db, "oracle", ticketsum.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := sqldb.Check("demo store", tt.db, tt.d)
			if got := ticketsum.ErrorCodeOf(err); got != tt.want {
				t.Fatalf("Check: %v, want code %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(ticketsum.ErrorMessage(err), "demo store: ") {
				t.Errorf("message %q does not name the component", ticketsum.ErrorMessage(err))
			}
		})
	}
}

func TestMicros(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 9, 0, 0, 123456000, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"zero is unset", time.Time{}, time.Time{}},
		{"round trip in UTC", at, at.UTC()},
		{"sub-microsecond dropped", at.Add(999), at.UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := sqldb.Micros(tt.t)
			if tt.t.IsZero() && m != 0 {
				t.Errorf("Micros(zero) = %d, want 0", m)
			}
			if got := sqldb.FromMicros(m); !got.Equal(tt.want) || got.Location() != tt.want.Location() {
				t.Errorf("FromMicros(Micros(%v)) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}
