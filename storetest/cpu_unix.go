//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) this process has used,
// or 0 when it cannot be read. Benchmarks report it beside wall time: on a
// machine shared with other work, wall time measures the queue for a core
// as much as the work.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
