package sqldb

import "time"

// Micros returns t as unix microseconds, the portable time column of the
// packages' own tables, and 0 for the zero time (unset).
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros is the inverse of Micros: 0 is the zero time, anything else a
// UTC time.
func FromMicros(m int64) time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMicro(m).UTC()
}
