package ledger

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// memStore keeps requests in memory; a transaction that fails leaves them as they were.
type memStore map[string]Request

func (m memStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	saved := maps.Clone(m)
	err := fn(ctx)
	if err != nil {
		clear(m)
		maps.Copy(m, saved)
	}
	return err
}

func (m memStore) InsertRequest(_ context.Context, r *Request) error {
	if _, ok := m[r.ClientID+" "+r.ID]; ok {
		return store.ErrConflict
	}
	m[r.ClientID+" "+r.ID] = *r
	return nil
}

func (m memStore) GetRequest(_ context.Context, clientID, id string) (*Request, error) {
	r, ok := m[clientID+" "+id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return &r, nil
}

func (m memStore) UpdateRequest(_ context.Context, r *Request) error {
	m[r.ClientID+" "+r.ID] = *r
	return nil
}

// TestConflictRunsAgain: an operation that keeps losing races (store.ErrConflict: a deadlock,
// say) runs up to maxAttempts times, then fails with the conflict and is recorded as failed;
// its own failed attempt is never taken for a concurrent request that won.
func TestConflictRunsAgain(t *testing.T) {
	m := memStore{}
	s := &Service{Tx: m, Store: m, Key: []byte("k"), Now: time.Now}
	runs := 0
	op := func(context.Context) (Outcome, error) {
		runs++
		return Outcome{}, errors.New("deadlock: " + store.ErrConflict.Error())
	}
	deadlock := func(context.Context) (Outcome, error) {
		runs++
		return Outcome{}, store.ErrConflict
	}
	r := Request{ClientID: "c", ID: "r-1", Type: "register"}
	if _, _, err := s.Do(context.Background(), r, op); err == nil || runs != 1 {
		t.Fatalf("another error: %v after %d runs, want it returned after one", err, runs)
	}
	runs = 0
	req, replayed, err := s.Do(context.Background(), r, deadlock)
	if !errors.Is(err, store.ErrConflict) || replayed || req != nil || runs != maxAttempts {
		t.Errorf("lost races = %+v, %t, %v after %d runs; want the conflict after %d", req, replayed, err, runs, maxAttempts)
	}
	if got, err := s.Get(context.Background(), "c", "r-1"); err != nil || got.State != Failed {
		t.Errorf("recorded = %+v, %v; want failed", got, err)
	}
}
