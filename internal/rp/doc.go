// Package rp holds the registry of relying parties (OpenID Connect clients): their redirect
// URIs, allowed scopes, required level, accepted confirmation methods, authentication method
// and keys, and the Service that validates and registers them. Client secrets are generated
// high-entropy and stored as keyed hashes, so checking one costs a single HMAC.
package rp
