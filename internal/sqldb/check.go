package sqldb

import (
	"database/sql"

	"github.com/ticketsum/ticketsum"
)

// Check returns an EINVALID error, its message starting with what (for
// example "access store"), when db is nil or d is not a supported dialect.
// Constructors of components on a database/sql handle call it first.
func Check(what string, db *sql.DB, d Dialect) error {
	if db == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: no database handle", what)
	}
	if err := d.Validate(); err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "%s: %w", what, err)
	}
	return nil
}
