package center

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/civis-id/civis/internal/store"
)

// memStore is an in-memory Store whose InTx works on a copy that is kept only when fn
// succeeds, like a database transaction. failOn makes writes of that id fail.
type memStore struct {
	mu     sync.Mutex
	rows   map[string]Center
	lists  int // ListCenters calls, to observe the cache
	failOn string
}

func newMemStore() *memStore { return &memStore{rows: map[string]Center{}} }

type txRows struct{}

func (m *memStore) table(ctx context.Context) map[string]Center {
	if t, ok := ctx.Value(txRows{}).(map[string]Center); ok {
		return t
	}
	return m.rows
}

func (m *memStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	m.mu.Lock()
	work := maps.Clone(m.rows)
	m.mu.Unlock()
	if err := fn(context.WithValue(ctx, txRows{}, work)); err != nil {
		return err
	}
	m.mu.Lock()
	m.rows = work
	m.mu.Unlock()
	return nil
}

func (m *memStore) CreateCenter(ctx context.Context, c *Center) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.table(ctx)
	if _, ok := t[c.ID]; ok {
		return store.ErrConflict
	}
	if c.ID == m.failOn {
		return store.ErrConflict
	}
	t[c.ID] = *c
	return nil
}

func (m *memStore) GetCenter(ctx context.Context, id string) (*Center, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.table(ctx)[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return &c, nil
}

func (m *memStore) ListCenters(ctx context.Context) ([]*Center, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists++
	var out []*Center
	for _, c := range m.table(ctx) {
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *Center) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) UpdateCenter(ctx context.Context, c *Center) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.table(ctx)
	old, ok := t[c.ID]
	if !ok {
		return store.ErrNotFound
	}
	row := *c
	row.CreatedAt = old.CreatedAt // as the store's UPDATE, which leaves created_at
	t[c.ID] = row
	return nil
}

func (m *memStore) DeleteCenter(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.table(ctx)
	if _, ok := t[id]; !ok {
		return store.ErrNotFound
	}
	delete(t, id)
	return nil
}
