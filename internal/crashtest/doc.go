// Package crashtest holds tests that kill a real civis process with SIGKILL in the middle of
// its work, restart it on the same database, and check that nothing was lost or done twice.
// It has no code of its own beyond the helpers its tests share.
package crashtest
