//go:build !unix

package bot

import "time"

// processCPU is unknown here.
func processCPU() time.Duration { return 0 }
