// Package storetest is the conformance suite every storage engine must pass: Run executes
// named subtests, each on a fresh database, covering not-found and conflict errors, UTC time
// round trips, optimistic updates, transactions, job leases and cleanup of expired rows.
package storetest
