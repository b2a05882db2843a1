//go:build !unix

package loadtest

import "time"

// processCPU is unknown on this system.
func processCPU() (time.Duration, bool) { return 0, false }
