package sqldb_test

import (
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"migrations/010_late.sql":   {Data: []byte("CREATE TABLE c (id INTEGER)")},
		"migrations/002_second.sql": {Data: []byte("CREATE TABLE b (id INTEGER)")},
		"migrations/001_first.sql":  {Data: []byte("CREATE TABLE a (id INTEGER)")},
		"migrations/README.md":      {Data: []byte("not a migration")},
	}
	got, err := sqldb.LoadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []sqldb.Migration{
		{Version: 1, Name: "001_first.sql", SQL: "CREATE TABLE a (id INTEGER)"},
		{Version: 2, Name: "002_second.sql", SQL: "CREATE TABLE b (id INTEGER)"},
		{Version: 10, Name: "010_late.sql", SQL: "CREATE TABLE c (id INTEGER)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadMigrations = %+v\nwant %+v", got, want)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"no number", fstest.MapFS{"migrations/init.sql": {}}},
		{"no underscore", fstest.MapFS{"migrations/001.sql": {}}},
		{"zero", fstest.MapFS{"migrations/000_init.sql": {}}},
		{"negative", fstest.MapFS{"migrations/-1_init.sql": {}}},
		{"same version", fstest.MapFS{"migrations/001_a.sql": {}, "migrations/1_b.sql": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := sqldb.LoadMigrations(tt.fsys); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("LoadMigrations: %v, want an invalid error", err)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
	}{
		{"empty", "", nil},
		{"comments only", "-- nothing\n  -- here\n", nil},
		{"one without semicolon", "CREATE TABLE a (id INTEGER)", []string{"CREATE TABLE a (id INTEGER)"}},
		{"two over lines", "-- header\nCREATE TABLE a (\n    id INTEGER\n);\n\nCREATE INDEX a_id ON a (id);\n",
			[]string{"CREATE TABLE a (\n    id INTEGER\n)", "CREATE INDEX a_id ON a (id)"}},
		{"semicolon inside a line", "INSERT INTO a VALUES (';'), ('x');\n", []string{"INSERT INTO a VALUES (';'), ('x')"}},
		{"trailing statement", "CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER)", []string{"CREATE TABLE a (id INTEGER)", "CREATE TABLE b (id INTEGER)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sqldb.SplitStatements(tt.body); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitStatements(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}
