// Package pii protects personal data at rest: it seals values (document
// numbers, SNILS, INN, phone, email, birth data) with a rotatable AEAD keyset
// and computes keyed blind indexes so that lookups and uniqueness checks never
// need the plaintext. It also holds the key for one-time code hashes.
//
// All keys live in one JSON file ([Keys.Write], [Load], [LoadOrCreate]). The
// package imports the standard library and github.com/tink-crypto/tink-go/v2.
package pii
