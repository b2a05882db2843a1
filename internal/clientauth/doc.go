// Package clientauth authenticates partner clients (service centers' systems and banks) on
// the operator and partner APIs. Each request carries a fresh private_key_jwt client assertion
// (RFC 7523 section 2.2, as at the token endpoint) as its bearer credential; the assertion is
// checked against the client's registered keys and can be used once.
package clientauth
