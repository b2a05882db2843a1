// Package registry checks a person's data against the state registries:
// SNILS at the pension fund, identity documents at the interior ministry and
// INN at the tax service. Each check is one small interface ([SNILSChecker],
// [DocumentChecker], [INNChecker]); driving licences and organizations will
// get their own.
//
// Two implementations exist: the [Simulator], which answers from a data file
// of persons (used by --dev and by tests) and can be made slow or failing,
// and [HTTP], the connector to an interagency gateway whose JSON contract is
// described in docs/registries.md.
//
// A check makes exactly one attempt and classifies its outcome: a [Result]
// (the registry answered), an error wrapping [ErrUnavailable] (no usable
// answer: try again later) or an error wrapping [ErrRejected] (the request
// can never succeed as sent). Retries, backoff, circuit breaking and
// deadlines are the caller's (the proofing service). Error texts never
// contain personal data.
//
// The package imports the standard library, internal/ident,
// github.com/google/uuid and golang.org/x/text/language.
package registry
