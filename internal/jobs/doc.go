// Package jobs runs durable background work kept in the database: sending messages, registry
// checks, back-channel logout. A job is inserted in the same transaction as the state change
// that causes it (the outbox pattern), so a crash loses neither. Workers on every node claim
// due jobs under a time-limited lease, run the handler for the job's kind, and retry failures
// with exponential backoff and jitter; handlers must therefore be idempotent.
package jobs
