// Package letters confirms a citizen's identity by a code sent in a registered letter (the
// `mail_code` method of DESIGN.md). A citizen with a standard account orders a letter to a
// postal address; the daily print batch gives each ordered letter a random code, writes the
// code only into the batch files for the print house and keeps only its keyed hash; the
// citizen types the code from the letter, and the account becomes confirmed.
//
// The code is 10 characters of Crockford base32 (50 random bits), shown XXXXX-XXXXX and read
// in any case, with or without dashes and spaces, O as 0 and I or L as 1.
//
//	stateDiagram-v2
//	    [*] --> ordered: Order (the previous letter becomes void)
//	    ordered --> batched: Batch --hold (code made, hashed, printed)
//	    ordered --> sent: Batch (code valid from now)
//	    batched --> sent: tracking "sent"
//	    sent --> delivered: tracking "delivered"
//	    sent --> used: right code
//	    delivered --> used: right code
//	    sent --> expired: code older than CodeTTL
//	    delivered --> expired: code older than CodeTTL
//	    ordered --> void: a new letter ordered, or the account was deleted or confirmed otherwise
//	    batched --> void: a new letter ordered
//	    sent --> void: a new letter ordered
//	    delivered --> void: a new letter ordered
//	    batched --> returned: tracking "returned"
//	    sent --> returned: tracking "returned"
//	    delivered --> returned: tracking "returned"
//
// Every step is one transaction, except a print batch, which records its letters in chunks,
// one short transaction each (see Service.Batch). The package imports the domain packages
// (account, audit, credential, flow, jobs, messages, notice, proofing, ratelimit, store);
// nothing here speaks HTTP.
package letters
