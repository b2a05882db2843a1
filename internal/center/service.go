package center

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/store"
)

// DefaultCacheTTL is how long a node serves the directory from memory.
const DefaultCacheTTL = 30 * time.Second

// Service manages the directory and answers lookups and searches from a short-lived per-node
// cache of the whole directory.
type Service struct {
	Store    Store
	Tx       store.Transactor // ImportCSV writes in one transaction through it
	Now      func() time.Time
	CacheTTL time.Duration // default DefaultCacheTTL

	mu   sync.Mutex
	snap *snapshot
	gen  uint64 // counts Forget calls, so that a load begun before one is not kept
}

var _ Directory = (*Service)(nil)

// snapshot is the cached directory: every center, ordered by name, and by id.
type snapshot struct {
	byName []entry
	byID   map[string]*Center
	exp    time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Create validates in and adds the center. A taken id is a *ValidationError on the field id.
func (s *Service) Create(ctx context.Context, in Input) (*Center, error) {
	c, err := build(in)
	if err != nil {
		return nil, err
	}
	if c.ID == "" {
		c.ID = uuid.Must(uuid.NewV7()).String()
	}
	c.CreatedAt = s.now().UTC()
	c.UpdatedAt = c.CreatedAt
	err = s.Store.CreateCenter(ctx, c)
	s.Forget()
	if errors.Is(err, store.ErrConflict) {
		return nil, &ValidationError{Fields: []FieldError{errIDTaken}}
	}
	if err != nil {
		return nil, fmt.Errorf("create center: %w", err)
	}
	return c, nil
}

// Ensure adds the center described by in unless a center with its id exists (the demo
// centers of development mode).
func (s *Service) Ensure(ctx context.Context, in Input) error {
	_, err := s.Store.GetCenter(ctx, in.ID)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err = s.Create(ctx, in)
	return err
}

// Update replaces the center id with in (whose ID must be empty or id). A missing center is
// store.ErrNotFound.
func (s *Service) Update(ctx context.Context, id string, in Input) (*Center, error) {
	if in.ID != "" && in.ID != id {
		return nil, &ValidationError{Fields: []FieldError{{Field: "id", Code: "mismatch",
			Message: "the id cannot change; leave it out or repeat the center's id"}}}
	}
	in.ID = id
	c, err := build(in)
	if err != nil {
		return nil, err
	}
	old, err := s.Store.GetCenter(ctx, id)
	if err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = old.CreatedAt, s.now().UTC()
	err = s.Store.UpdateCenter(ctx, c)
	s.Forget()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Delete removes the center; store.ErrNotFound when there is none.
func (s *Service) Delete(ctx context.Context, id string) error {
	err := s.Store.DeleteCenter(ctx, id)
	s.Forget()
	return err
}

// List returns every center from the store (not the cache), ordered by name.
func (s *Service) List(ctx context.Context) ([]*Center, error) {
	all, err := s.Store.ListCenters(ctx)
	if err != nil {
		return nil, err
	}
	es := make([]entry, len(all))
	for i, c := range all {
		es[i] = newEntry(c)
	}
	sortEntries(es)
	out := make([]*Center, len(es))
	for i, e := range es {
		out[i] = e.c
	}
	return out, nil
}

// Get returns the center, from the cache when it holds it; store.ErrNotFound when there is
// none. The result is shared: do not modify it.
func (s *Service) Get(ctx context.Context, id string) (*Center, error) {
	snap, err := s.cached(ctx)
	if err != nil {
		return nil, err
	}
	if c, ok := snap.byID[id]; ok {
		return c, nil
	}
	// Created on another node since the cache was filled, or not there at all.
	return s.Store.GetCenter(ctx, id)
}

// Exists implements Directory: whether the center id exists (from the cache when it holds
// it). It fits staff.Service.CenterExists as a method value.
func (s *Service) Exists(ctx context.Context, id string) (bool, error) {
	return s.Offers(ctx, id, "")
}

// Offers implements Directory: whether the center id exists and offers service (any service
// when it is empty).
func (s *Service) Offers(ctx context.Context, id, service string) (bool, error) {
	c, err := s.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return service == "" || c.Offers(service), nil
}

// Search returns the centers matching q from the cache. The results are shared: do not
// modify them.
func (s *Service) Search(ctx context.Context, q Query) ([]Result, error) {
	snap, err := s.cached(ctx)
	if err != nil {
		return nil, err
	}
	return search(snap.byName, q), nil
}

// OpenNow reports whether c is open now, by the Service's clock.
func (s *Service) OpenNow(c *Center) bool { return c.OpenAt(s.now()) }

// Forget drops this node's cache (after a change made here).
func (s *Service) Forget() {
	s.mu.Lock()
	s.snap = nil
	s.gen++
	s.mu.Unlock()
}

// cached returns the cached directory, loading it when it is missing or stale. Concurrent
// callers on a stale cache may load it more than once; the last load wins.
func (s *Service) cached(ctx context.Context) (*snapshot, error) {
	now := s.now()
	s.mu.Lock()
	snap, gen := s.snap, s.gen
	s.mu.Unlock()
	if snap != nil && now.Before(snap.exp) {
		return snap, nil
	}
	all, err := s.Store.ListCenters(ctx)
	if err != nil {
		return nil, fmt.Errorf("load centers: %w", err)
	}
	ttl := s.CacheTTL
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	snap = &snapshot{byName: make([]entry, len(all)), byID: make(map[string]*Center, len(all)), exp: now.Add(ttl)}
	for i, c := range all {
		snap.byName[i] = newEntry(c)
		snap.byID[c.ID] = c
	}
	sortEntries(snap.byName)
	s.mu.Lock()
	if s.gen == gen {
		s.snap = snap
	}
	s.mu.Unlock()
	return snap, nil
}
