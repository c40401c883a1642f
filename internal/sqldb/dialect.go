package sqldb

import (
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Dialect is the SQL flavour of a database/sql handle.
type Dialect string

// The supported dialects.
const (
	// SQLite is modernc.org/sqlite, driver name "sqlite".
	SQLite Dialect = "sqlite"
	// Postgres is github.com/jackc/pgx/v5/stdlib, driver name "pgx".
	Postgres Dialect = "postgres"
)

// SQLiteServeOptions are the connection options serve and the worker
// open the governance database with on SQLite (after "file:PATH?"): WAL
// with synchronous=NORMAL, so that a commit survives the process being
// killed (what budgets and the trail must survive) without an fsync per
// commit, only a power loss taking back the last ones; and
// _txlock=immediate, as the ticket store, since every transaction on these
// tables writes, and a deferred one that read first (a rating checks its
// task) failed at once with "database is locked" when another connection
// (another process, or this one's ticket store) wrote meanwhile, instead of
// waiting for the busy timeout (TestGovernanceTxWaitsForAnotherProcess).
// dbtest.SQLiteAsServe opens benchmarks' databases with them too.
const SQLiteServeOptions = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Validate returns an EINVALID error unless d is SQLite or Postgres.
func (d Dialect) Validate() error {
	if d != SQLite && d != Postgres {
		return ticketsum.Errorf(ticketsum.EINVALID, "unknown SQL dialect %q (want sqlite or postgres)", truncate(string(d), 40))
	}
	return nil
}

// Rebind returns q for d: unchanged for SQLite, and for Postgres with each
// '?' placeholder turned into '$1', '$2'... in order. A '?' inside a
// single-quoted string literal, a double-quoted identifier or a '--'
// comment is left alone.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte // the open quote character, or 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote reopens on the next byte
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end - 1
			continue
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// truncate keeps error messages short when given arbitrary input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
