// Package account holds person accounts: their level, names, contacts and password hash, and
// the Store that persists them. It knows nothing of HTTP or of how accounts are created; the
// flow package drives it.
package account
