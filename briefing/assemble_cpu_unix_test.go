//go:build unix

package briefing

import (
	"syscall"
	"time"
)

// ProcessCPUTime (exported for the external benchmarks) is the CPU time the test process has used (all threads, user and system). The
// benchmarks report it per operation next to the wall time, which a busy machine inflates.
func ProcessCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
