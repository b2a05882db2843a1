// Package partner holds what partner banks do through the partner API: confirm the identity of
// a citizen who has a standard account (method bank), or register a citizen who has none at
// the confirmed level. A bank vouches for its own client with the data it checked (SNILS,
// names, birth date, passport, phone); Civis compares them with the account's verified data
// and answers which fields differ, never the stored values.
//
// Every request runs through the request ledger (package ledger) under the bank's request id:
// the ledger row, the account change, the audit event and the messages commit together, so a
// request acts at most once and a resend gets the first answer. Validation errors are answered
// before the ledger and are not recorded. The package speaks no HTTP.
package partner
