// Package ratelimit counts events per key in fixed time windows held in the database, so that
// limits hold across nodes and restarts. Keys are hashed by the caller (blind indexes), never
// raw phone numbers or addresses.
package ratelimit
