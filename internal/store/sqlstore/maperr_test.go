package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/civis-id/civis/internal/store"
)

// TestMapErrPostgres: only a violation of an identifier's unique index is ErrTaken; a
// deadlock, a serialization failure or another unique index is a plain ErrConflict, which a
// caller may run again.
func TestMapErrPostgres(t *testing.T) {
	for _, tc := range []struct {
		code, constraint string
		taken            bool
	}{
		{"23505", "contacts_verified_value", true},
		{"23505", "profiles_verified_snils", true},
		{"23505", "audit_events_account_id_seq_key", false},
		{"23505", "requests_pkey", false},
		{"40P01", "", false},
		{"40001", "", false},
	} {
		err := mapErr(fmt.Errorf("insert: %w", &pgconn.PgError{Code: tc.code, ConstraintName: tc.constraint}))
		if !errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrTaken) != tc.taken {
			t.Errorf("mapErr(%s %s) = %v: ErrConflict %t, ErrTaken %t, want true, %t", tc.code, tc.constraint, err,
				errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrTaken), tc.taken)
		}
	}
}

func TestSQLiteConflict(t *testing.T) {
	for msg, taken := range map[string]bool{
		"constraint failed: UNIQUE constraint failed: contacts.kind, contacts.value_index (2067)":       true,
		"constraint failed: UNIQUE constraint failed: profiles.snils_index (2067)":                      true,
		"constraint failed: UNIQUE constraint failed: contacts.account_id, contacts.kind (2067)":        false,
		"constraint failed: UNIQUE constraint failed: audit_events.account_id, audit_events.seq (1555)": false,
		"constraint failed: UNIQUE constraint failed: profiles.snils_index_old (2067)":                  false,
	} {
		err := sqliteConflict(msg)
		if !errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrTaken) != taken {
			t.Errorf("sqliteConflict(%q) = %v, want ErrTaken %t", msg, err, taken)
		}
	}
}
