package staff_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

// memStore keeps staff in a map.
type memStore map[string]staff.Member

func (m memStore) PutStaff(_ context.Context, s *staff.Member) error { m[s.AccountID] = *s; return nil }

func (m memStore) GetStaff(_ context.Context, id string) (*staff.Member, error) {
	s, ok := m[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return &s, nil
}

func (m memStore) ListStaff(context.Context, string) ([]staff.Member, error) { return nil, nil }

func (m memStore) DeleteStaff(_ context.Context, id string) error { delete(m, id); return nil }

// TestAssignByCenterAdmin: a center_admin makes operators of their own center, and neither
// takes staff from another center nor demotes a center_admin, themselves included.
func TestAssignByCenterAdmin(t *testing.T) {
	admin := staff.Member{AccountID: "admin-a", CenterID: "a", Role: staff.CenterAdmin}
	db := memStore{
		"admin-a": admin, "admin-a2": {AccountID: "admin-a2", CenterID: "a", Role: staff.CenterAdmin},
		"op-a": {AccountID: "op-a", CenterID: "a", Role: staff.Operator}, "op-b": {AccountID: "op-b", CenterID: "b", Role: staff.Operator},
	}
	s := &staff.Service{Store: db, Now: time.Now}
	for _, tc := range []struct {
		account string
		want    error
	}{
		{"citizen", nil},
		{"op-a", nil},
		{"op-b", staff.ErrForbidden},
		{"admin-a2", staff.ErrForbidden},
		{"admin-a", staff.ErrForbidden},
	} {
		_, err := s.Assign(context.Background(), &admin, tc.account, "a", staff.Operator)
		if !errors.Is(err, tc.want) {
			t.Errorf("Assign(%q) by the center_admin = %v, want %v", tc.account, err, tc.want)
		}
	}
	if db["admin-a"].Role != staff.CenterAdmin || db["admin-a2"].Role != staff.CenterAdmin || db["op-b"].CenterID != "b" {
		t.Errorf("staff after the refused assignments: %+v", db)
	}
	if m, err := s.Assign(context.Background(), nil, "admin-a2", "a", staff.Operator); err != nil || m.Role != staff.Operator {
		t.Errorf("the platform admin's assignment = %+v, %v", m, err)
	}
}
