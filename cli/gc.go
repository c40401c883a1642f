package cli

import "runtime/debug"

// Serve's garbage collector defaults (docs/performance.md, "GC target").
// Serve's live heap is small (tens of MB), so at Go's default GOGC=100 it
// collects every few MB of requests; at 400 a served request's share of
// the GC is about a third as large, for a larger heap, which the soft
// limit bounds.
const (
	// serveGCPercent is serve's GOGC when the environment sets none.
	serveGCPercent = 400
	// serveMemoryLimit is serve's soft memory limit (GOMEMLIMIT) when the
	// environment sets none: the runtime collects more often as the heap
	// nears it, so the larger GC target costs at most this much memory. A
	// live heap near it makes the GC run often: set GOMEMLIMIT higher.
	serveMemoryLimit = 512 << 20
)

// serveGCDefaults sets serve's GC target unless getenv (os.Getenv, which
// the runtime reads too) finds GOGC set, and its soft memory limit unless
// it finds GOMEMLIMIT set, and
// reports which it set. Other commands keep Go's defaults: the backfill's
// peak RSS has a 200 MB target and little room left under it.
func serveGCDefaults(getenv func(string) string) (gcPercent, memoryLimit bool) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
		gcPercent = true
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
		memoryLimit = true
	}
	return gcPercent, memoryLimit
}
