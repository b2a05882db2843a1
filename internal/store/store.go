package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotFound is returned when the requested record does not exist (or has expired).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule or lost an
// optimistic-concurrency race.
var ErrConflict = errors.New("conflict")

// ErrTaken is the ErrConflict of a write that would give an account an identifier another
// account holds: a verified phone or email, a verified SNILS. It wraps ErrConflict, so a
// caller that retries lost races still retries it; a caller that answers "the identifier is
// taken" checks for ErrTaken, never for ErrConflict alone, which is also a deadlock, a
// serialization failure or a concurrent update, and may succeed when run again.
var ErrTaken = fmt.Errorf("%w: identifier taken", ErrConflict)

// Transactor runs fn in one database transaction. The transaction travels in the context
// given to fn, so every store method called with that context joins it. fn's error rolls the
// transaction back; a nested call joins the outer transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

type txKey struct{}

// ContextWithTx returns ctx carrying an open transaction. Only storage implementations call it.
func ContextWithTx(ctx context.Context, tx any) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFromContext returns the transaction carried by ctx, if any.
func TxFromContext(ctx context.Context) (any, bool) {
	tx := ctx.Value(txKey{})
	return tx, tx != nil
}
