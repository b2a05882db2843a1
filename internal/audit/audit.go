package audit

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/store"
)

// Event actions.
const (
	AccountCreated = "account.created"
	LoginSucceeded = "login.succeeded"
	LoginFailed    = "login.failed"
	Logout         = "logout"
	PasswordRehash = "password.rehashed"
)

// Event is one audit record.
type Event struct {
	ID        string
	AccountID string // "" for events about no account
	Seq       int64  // position in the account's chain, from 1
	Action    string
	Actor     string            // "self", "system", "operator:<id>", "client:<id>"
	Details   map[string]string // names and ids, never personal data values
	IP        string
	CreatedAt time.Time
	PrevHash  string
	Hash      string
}

// Store persists events.
type Store interface {
	// AppendEvent links e to the end of its account's chain (setting Seq, PrevHash and Hash
	// with [Hash]) and inserts it. Concurrent appends to one chain are serialized.
	AppendEvent(ctx context.Context, e *Event) error
	// AppendEvents appends several events (of any accounts) in one transaction.
	AppendEvents(ctx context.Context, events []*Event) error
	// AccountEvents returns up to limit events of the account, newest first.
	AccountEvents(ctx context.Context, accountID string, limit int) ([]*Event, error)
}

// Recorder appends events.
type Recorder struct {
	Store Store
	Now   func() time.Time
	// Batch, if set and started, group-commits events recorded outside a transaction.
	Batch *Batcher
}

// Record appends e to its account's chain, inside the transaction in ctx when there is one,
// so that the event commits with the action it records; otherwise through the Batcher when
// there is one. Either way it returns once the event is committed.
func (r *Recorder) Record(ctx context.Context, e Event) error {
	e.ID = uuid.Must(uuid.NewV7()).String()
	e.CreatedAt = r.Now().UTC().Truncate(time.Microsecond)
	if _, inTx := store.TxFromContext(ctx); !inTx && r.Batch != nil && r.Batch.reqs != nil {
		if err := r.Batch.Add(ctx, &e); err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
		return nil
	}
	if err := r.Store.AppendEvent(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Hash computes the chain hash of e over its content and PrevHash.
func Hash(e *Event) string {
	body, _ := json.Marshal(struct {
		ID, AccountID, Action, Actor, IP, Prev string
		Seq                                    int64
		Details                                map[string]string
		At                                     int64
	}{e.ID, e.AccountID, e.Action, e.Actor, e.IP, e.PrevHash, e.Seq, e.Details, e.CreatedAt.UnixMicro()})
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Verify checks that events (oldest first, one account's whole chain) link up.
func Verify(events []*Event) error {
	prev := ""
	for i, e := range events {
		if e.PrevHash != prev || e.Seq != int64(i+1) || Hash(e) != e.Hash {
			return fmt.Errorf("audit chain broken at seq %d", e.Seq)
		}
		prev = e.Hash
	}
	return nil
}
