// Package mfa holds the citizen's second factors: an authenticator app (TOTP, RFC 6238),
// SMS codes to the confirmed phone, passkeys (WebAuthn, also used to sign in without a
// password), ten single-use recovery codes, and remembered devices that skip the second
// factor for a while. Secrets are sealed or hashed by the store; every change is audited and
// told to the citizen's confirmed contacts, and needs a recent sign-in.
//
// It imports the domain packages (account, session, audit, messages, credential, store) and
// the TOTP and WebAuthn libraries; the login step that asks for a factor lives in flow.
package mfa
