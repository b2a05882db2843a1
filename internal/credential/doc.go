// Package credential holds the primitives behind citizen credentials:
// argon2id password hashing with a bound on concurrent hashing, the password
// policy and generator, one-time numeric codes stored as keyed hashes, and
// random opaque tokens stored as plain hashes.
//
// It imports only the standard library and golang.org/x/crypto; storage and
// HTTP live elsewhere.
package credential
