package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// Serve's GC defaults apply only where the environment sets nothing: an
// operator's GOGC or GOMEMLIMIT is left as the runtime read it.
func TestServeGCDefaults(t *testing.T) {
	// Not parallel: the GC settings are the process's.
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) })
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	for _, tc := range []struct {
		name                 string
		env                  map[string]string
		wantPercent, wantLim bool
	}{
		{"unset", nil, true, true},
		{"GOGC set", map[string]string{"GOGC": "200"}, false, true},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, true, false},
		{"both set", map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, false, false},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		p, l := serveGCDefaults(env(tc.env))
		gotPercent := debug.SetGCPercent(100)
		gotLimit := debug.SetMemoryLimit(math.MaxInt64)
		if p != tc.wantPercent || l != tc.wantLim {
			t.Errorf("%s: reported GOGC %v, GOMEMLIMIT %v; want %v, %v", tc.name, p, l, tc.wantPercent, tc.wantLim)
		}
		if want := map[bool]int{true: serveGCPercent, false: 100}[tc.wantPercent]; gotPercent != want {
			t.Errorf("%s: GC percent %d, want %d", tc.name, gotPercent, want)
		}
		if want := map[bool]int64{true: serveMemoryLimit, false: math.MaxInt64}[tc.wantLim]; gotLimit != want {
			t.Errorf("%s: memory limit %d, want %d", tc.name, gotLimit, want)
		}
	}
}
