// Package proofing raises accounts from simplified to standard. It keeps the citizen's
// personal data and documents, checks them against the state registries and releases the
// verified ones to relying parties as claims.
//
// Each registry-checked item (personal data, SNILS, identity document, INN) has a verified
// version, which is in force and is what relying parties get, and a pending version: the
// change the citizen made and has not yet had verified. A submission checks every pending
// version at once, one durable job per registry, created in the submission's transaction.
// While it runs the checked items are read-only. When every check passes, the pending
// versions become the verified ones and a simplified account becomes standard. When one
// fails, the others are cancelled, the verified versions stay as they were, and the citizen
// sees which check failed and why, corrects the data and submits again.
//
// A check's result is written exactly once: the check row carries an attempt token, each
// job carries the token it was created with, and every write is conditional on the row still
// being pending at that token. A job that runs again after a crash, or a stale job, changes
// nothing.
//
// Submissions:
//
//	stateDiagram-v2
//	    [*] --> checking: Submit (checks + jobs in one transaction; items locked)
//	    checking --> verified: every check verified or skipped (pending versions promoted)
//	    checking --> failed: a check failed, or the SNILS is taken (other checks cancelled)
//	    verified --> [*]
//	    failed --> [*]
//
// Checks:
//
//	stateDiagram-v2
//	    [*] --> pending
//	    pending --> pending: registry unavailable or circuit open (new attempt token, backoff)
//	    pending --> verified: the registry confirmed the data
//	    pending --> failed: the registry refused the data, rejected the request, or the deadline passed
//	    pending --> skipped: an INN lookup found nothing (does not fail the submission)
//	    pending --> cancelled: another check of the submission failed
//
// The package imports store, account, audit, jobs, messages, notify, ident and registry; it
// speaks no HTTP.
package proofing
