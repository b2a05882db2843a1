package staff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// Role is a staff member's role at a center.
type Role string

// Staff roles.
const (
	Operator    Role = "operator"
	CenterAdmin Role = "center_admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Operator || r == CenterAdmin }

// Member is an account working at a center.
type Member struct {
	AccountID string
	CenterID  string
	Role      Role
	CreatedBy string // "admin" (the platform admin) or the center_admin's account id
	CreatedAt time.Time
}

// Store persists staff.
type Store interface {
	// PutStaff adds m, or moves the account to m's center and role.
	PutStaff(ctx context.Context, m *Member) error
	// GetStaff returns the account's membership, or store.ErrNotFound.
	GetStaff(ctx context.Context, accountID string) (*Member, error)
	// ListStaff returns the center's staff, oldest first.
	ListStaff(ctx context.Context, centerID string) ([]Member, error)
	// DeleteStaff removes the account's membership; store.ErrNotFound when there is none.
	DeleteStaff(ctx context.Context, accountID string) error
}

// Errors of staff management.
var (
	ErrInvalidRole = errors.New("staff_role_invalid")
	ErrForbidden   = errors.New("forbidden") // a center_admin acting outside their center
	ErrNotStaff    = errors.New("not_staff")
	ErrNoCenter    = errors.New("center_not_found")
)

// Service manages staff.
type Service struct {
	Store Store
	// CenterExists reports whether the directory has the center (nil: not checked).
	CenterExists func(ctx context.Context, id string) (bool, error)
	Now          func() time.Time
}

// Assign makes the account a member of the center in role. by is "admin" for the platform
// admin, or the acting center_admin, who may only assign operators of their own center.
func (s *Service) Assign(ctx context.Context, by *Member, accountID, centerID string, role Role) (*Member, error) {
	if !role.Valid() {
		return nil, ErrInvalidRole
	}
	if s.CenterExists != nil {
		ok, err := s.CenterExists(ctx, centerID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNoCenter
		}
	}
	createdBy := "admin"
	if by != nil {
		if by.Role != CenterAdmin || by.CenterID != centerID || role != Operator {
			return nil, ErrForbidden
		}
		if err := s.mayAppoint(ctx, by, accountID); err != nil {
			return nil, err
		}
		createdBy = by.AccountID
	}
	m := &Member{AccountID: accountID, CenterID: centerID, Role: role, CreatedBy: createdBy, CreatedAt: s.Now()}
	return m, s.Store.PutStaff(ctx, m)
}

// mayAppoint checks that the center_admin by may make the account an operator of their
// center: staff of another center are that center's business, and a center_admin (by
// included) is not demoted to operator here.
func (s *Service) mayAppoint(ctx context.Context, by *Member, accountID string) error {
	cur, err := s.Store.GetStaff(ctx, accountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("get staff: %w", err)
	case cur.CenterID != by.CenterID || cur.Role != Operator:
		return ErrForbidden
	}
	return nil
}

// Remove ends the account's membership. by is nil for the platform admin, or a center_admin
// of the member's center.
func (s *Service) Remove(ctx context.Context, by *Member, accountID string) error {
	_, err := s.remove(ctx, by, accountID)
	return err
}

// remove is Remove, returning the membership ended.
func (s *Service) remove(ctx context.Context, by *Member, accountID string) (*Member, error) {
	m, err := s.Get(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if by != nil && (by.Role != CenterAdmin || by.CenterID != m.CenterID || m.Role != Operator) {
		return nil, ErrForbidden
	}
	if err := s.Store.DeleteStaff(ctx, accountID); err != nil {
		return nil, err
	}
	return m, nil
}

// Get returns the account's membership, or ErrNotStaff.
func (s *Service) Get(ctx context.Context, accountID string) (*Member, error) {
	m, err := s.Store.GetStaff(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotStaff
	}
	return m, err
}

// List returns the center's staff.
func (s *Service) List(ctx context.Context, centerID string) ([]Member, error) {
	return s.Store.ListStaff(ctx, centerID)
}
