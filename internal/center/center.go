package center

import (
	"context"
	"slices"
	"time"
)

// Services a center can offer, in the order pages list them.
const (
	Register = "register" // registers a citizen on the spot
	Confirm  = "confirm"  // confirms identity in person
	Recover  = "recover"  // restores access (a lost phone, a forgotten password)
	Delete   = "delete"   // deletes or restores an account
)

// AllServices lists every service in display order.
var AllServices = []string{Register, Confirm, Recover, Delete}

// KnownService reports whether s is one of AllServices.
func KnownService(s string) bool { return slices.Contains(AllServices, s) }

// Center is one service center of the directory.
type Center struct {
	ID        string
	Name      string
	Address   string
	Lat, Lon  float64 // WGS 84 degrees
	Hours     Hours   // weekly opening hours with their time zone
	Phone     string  // as people dial it; may be empty
	Services  []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Offers reports whether the center offers service.
func (c *Center) Offers(service string) bool { return slices.Contains(c.Services, service) }

// OpenAt reports whether the center is open at t.
func (c *Center) OpenAt(t time.Time) bool { return c.Hours.OpenAt(t) }

// Store persists centers. The Service adds validation, caching and search.
type Store interface {
	// CreateCenter inserts c; store.ErrConflict when its id is taken.
	CreateCenter(ctx context.Context, c *Center) error
	// GetCenter returns the center; store.ErrNotFound when there is none.
	GetCenter(ctx context.Context, id string) (*Center, error)
	// ListCenters returns every center, ordered by id.
	ListCenters(ctx context.Context) ([]*Center, error)
	// UpdateCenter replaces the stored center with c's id; store.ErrNotFound when there is none.
	UpdateCenter(ctx context.Context, c *Center) error
	// DeleteCenter removes the center; store.ErrNotFound when there is none.
	DeleteCenter(ctx context.Context, id string) error
}

// Directory is what other packages need to check a center they are given (an operator's
// workstation, a request ledger): it is implemented by *Service.
type Directory interface {
	// Exists reports whether the center id exists.
	Exists(ctx context.Context, id string) (bool, error)
	// Offers reports whether the center id exists and offers service.
	Offers(ctx context.Context, id, service string) (bool, error)
}
