//go:build !unix

package briefing

import "time"

// ProcessCPUTime is not measured here; the benchmarks then report wall time only.
func ProcessCPUTime() time.Duration { return 0 }
