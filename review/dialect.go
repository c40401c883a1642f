package review

import (
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Dialect is the SQL flavour of the database/sql handle given to
// NewSQLStore. Queries are written once with '?' placeholders and rebound.
type Dialect string

// The supported dialects.
const (
	// SQLite is modernc.org/sqlite, driver name "sqlite".
	SQLite Dialect = "sqlite"
	// Postgres is github.com/jackc/pgx/v5/stdlib, driver name "pgx".
	Postgres Dialect = "postgres"
)

func (d Dialect) validate() error {
	if d != SQLite && d != Postgres {
		return ticketsum.Errorf(ticketsum.EINVALID, "review: unknown SQL dialect %q (want sqlite or postgres)", string(d))
	}
	return nil
}

// rebind turns '?' placeholders into '$n' for Postgres.
func (d Dialect) rebind(q string) string {
	if d != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
