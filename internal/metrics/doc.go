// Package metrics holds Civis's Prometheus collectors in one registry served at /metrics:
// HTTP requests by route, registrations, sign-ins by outcome, messages by channel and outcome,
// the password-hashing queue and the job queue.
package metrics
