// Package settings holds what a signed-in citizen changes about how they sign in and are told
// things: the password (the old one required; every other session ends), the phone or email
// (a code to the new contact, a notice to the old one; a contact of another account gets the
// same answer and no code), the notification settings, and the secret question that recovery
// asks (the answer kept only as a password hash of its normalised form).
//
// Contact changes are persisted flows like registration, with the same code rules. Errors
// are flow.Error and flow.ValidationError, so that the HTTP layers show them as they show the
// registration's.
//
// It imports the domain packages (account, session, audit, credential, flow, ident, messages,
// notice, pow, ratelimit, store); nothing here speaks HTTP.
package settings
