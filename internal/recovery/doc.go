// Package recovery is the "I don't know my password" flow: a persisted, expiring state machine
// like registration. The citizen gives one identifier (a phone, an email, a SNILS, a passport's
// series and number, or an INN) with a solved proof of work, receives a code on the account's
// confirmed contacts, proves a second identifier when the account has verified documents and
// the first was a contact, answers the secret question if one is set, and sets a new password.
// Setting it ends every session (with back-channel logout of the sites) and every refresh
// token, is audited, and is told to every contact.
//
// No enumeration: starting answers the same whether or not the identifier belongs to an
// account. Nothing about the account (which contacts, which level, whether a question is set)
// is shown before the code is right; for an unknown identifier no code is sent and every code
// is wrong, exactly as a mistyped one, after the same counting. A confirmed account gets the
// code on its phone only, and its email a notice pointing to a service center for a lost phone.
//
//	stateDiagram-v2
//	    [*] --> awaiting_code: Start (code to the account's contacts, or to nobody)
//	    awaiting_code --> awaiting_code: wrong code / Resend
//	    awaiting_code --> awaiting_identifier: code right, began with a contact, documents verified
//	    awaiting_code --> awaiting_answer: code right, secret question set
//	    awaiting_code --> awaiting_password: code right
//	    awaiting_identifier --> awaiting_answer: identifier right, secret question set
//	    awaiting_identifier --> awaiting_password: identifier right
//	    awaiting_answer --> awaiting_password: answer right
//	    awaiting_identifier --> failed: wrong identifiers used up
//	    awaiting_answer --> failed: wrong answers used up
//	    awaiting_password --> completed: SetPassword
//	    completed --> [*]
//	    failed --> [*]
//
// It imports the domain packages (account, audit, credential, flow, ident, messages, notice,
// pow, proofing, ratelimit, session, store); nothing here speaks HTTP.
package recovery
