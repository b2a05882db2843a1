// Package ledger keeps the request ledger of the operator and partner APIs: every request
// carries a client-chosen request id, and the ledger makes sure a request acts at most once and
// that resending it returns the first answer.
package ledger
