// Package loadtest drives load against a running Civis server from the outside, the way
// clients do: a bounded concurrent driver ([Run]) that records every request's latency, a
// JSON client for the public API ([Client]), account creation through the self-service API
// and the dev outbox ([Setup]), the scenarios ([Login], ...), the raw argon2id baseline a
// password scenario is compared with ([MeasureHash]), and the report ([Report]).
//
// It talks to the server only over HTTP; it imports credential for the hash baseline and
// nothing of the server's storage or wiring.
package loadtest
