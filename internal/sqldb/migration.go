package sqldb

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Migration is one numbered schema change read from a file named
// "<version>_<what>.sql", for example "002_access_reservations.sql".
type Migration struct {
	// Version is the number before the first '_' of the file name.
	Version int
	// Name is the file's base name.
	Name string
	// SQL is the file's text.
	SQL string
}

// LoadMigrations reads the "migrations/*.sql" files of fsys, which is what
// a package embeds with "//go:embed migrations/*.sql", and returns them in
// version order. A name that does not start with a positive number and '_',
// or two files with the same version, is an EINVALID error.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	out := make([]Migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "migration %s: name must start with a positive number and '_'", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "migrations %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// SplitStatements splits a migration into statements on a ';' that ends a
// line, dropping blank lines and lines that start with "--". A statement
// must therefore not end a line with ';' inside a string or a function body.
func SplitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
