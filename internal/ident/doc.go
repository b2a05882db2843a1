// Package ident parses, validates and normalises the identifiers a citizen
// types: mobile phone numbers, email addresses, SNILS, INN and OGRN/OGRNIP.
//
// Every Normalize function returns the canonical stored form or an [*Error]
// whose Code is a stable machine code for API field errors. The functions are
// pure and idempotent: normalising an accepted value again returns it
// unchanged. The check-digit rules follow DOMAIN.md, section 3.
//
// The package imports only the standard library and
// github.com/nyaruka/phonenumbers.
package ident
