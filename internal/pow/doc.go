// Package pow issues and checks proof-of-work challenges that slow down guessing without ever
// locking anyone out. A challenge is an HMAC-signed string naming its purpose, the key it is
// bound to (a login, an account; stored only as a keyed hash), its difficulty and its expiry.
// The client finds a nonce such that SHA-256(challenge || nonce) starts with that many zero
// bits; checking costs one hash. A solved challenge is recorded until it expires, so each one
// is used once. The difficulty grows with the recent failures counted for the key.
//
// It imports the standard library, store and ratelimit (for the failure counters).
package pow
