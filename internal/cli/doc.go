// Package cli is the civis command line: serve, migrate, version, jobs, keys and the bench
// load tool, with flags that also read CIVIS_* environment variables.
package cli
