// Package grant holds what an OpenID Connect authorization leaves behind: authorization
// requests (with their codes), access tokens and refresh-token families, and the record of
// which relying parties got tokens from which sign-in session (for single logout). It knows
// nothing of the protocol library; internal/oidc adapts it.
package grant
