package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ticketsum/ticketsum"
)

// lowDisk is the free space under which a disk counts as full: SQLite
// needs room for its write-ahead log and journal, and refuses with a bare
// "disk I/O error" well before the last byte is taken.
const lowDisk = 1 << 20

// diskFullAdvice returns, for a failure the user cannot act on as it is
// (internal or unavailable), what to do when its cause is a full disk: the
// directory whose disk is full, how much is left and the fix. It returns ""
// for any other failure. A disk is taken as full when the cause says so
// (SQLite's "database or disk is full", ENOSPC) or when the cause is an
// SQLite I/O error and the disk has under lowDisk left.
func (e *env) diskFullAdvice(err error) string {
	if e.dataDir == "" {
		return ""
	}
	switch ticketsum.ErrorCodeOf(err) {
	case ticketsum.EINTERNAL, ticketsum.EUNAVAILABLE:
	default:
		return ""
	}
	full, ioErr := diskFullCause(err)
	if !full && !ioErr {
		return ""
	}
	dir, what := e.dataDir, "the data directory"
	if e.dbPath != "" && !isPostgres(e.dbPath) && filepath.Dir(e.dbPath) != filepath.Clean(e.dataDir) {
		if _, isSQLite := sqliteCode(err); isSQLite {
			dir, what = filepath.Dir(e.dbPath), "the store's directory"
		}
	}
	free, known := diskFree(dir)
	if !full && !(known && free < lowDisk) {
		return ""
	}
	left := ""
	if known {
		left = fmt.Sprintf(" (%s left)", humanBytes(free))
	}
	return fmt.Sprintf("the disk of %s %s is full%s: free space on it (df -h %s shows it), or move %s to a disk with room, then run the command again",
		what, dir, left, dir, settingOf(what))
}

// settingOf names the setting that moves what.
func settingOf(what string) string {
	if what == "the store's directory" {
		return "db (--db)"
	}
	return "data_dir (--data-dir)"
}

// diskFullCause reports whether err's chain says the disk is full, and
// whether it holds an SQLite I/O error (what SQLite says when it cannot
// grow its shared-memory or log file on a full disk).
func diskFullCause(err error) (full, ioErr bool) {
	if errors.Is(err, syscall.ENOSPC) {
		return true, false
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqlite3.SQLITE_FULL:
			return true, false
		case sqlite3.SQLITE_IOERR:
			return false, true
		}
	}
	// A cause flattened to text on its way (a %v) keeps only its words.
	s := err.Error()
	if strings.Contains(s, "database or disk is full") || strings.Contains(s, "no space left on device") {
		return true, false
	}
	return false, strings.Contains(s, "disk I/O error")
}

// sqliteCode returns the extended result code of the SQLite error in err's
// chain.
func sqliteCode(err error) (int, bool) {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}

// humanBytes formats n as B, KiB or MiB.
func humanBytes(n uint64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
