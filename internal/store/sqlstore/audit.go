package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/store"
)

var _ audit.Store = (*DB)(nil)

// AppendEvent implements audit.Store. The chain head row is upserted first: on PostgreSQL
// that locks it, so concurrent appends to one chain wait for each other instead of failing.
func (db *DB) AppendEvent(ctx context.Context, e *audit.Event) error {
	return db.AppendEvents(ctx, []*audit.Event{e})
}

// AppendEvents implements audit.Store: each account's chain head is read and written once for
// all of its events in the batch.
func (db *DB) AppendEvents(ctx context.Context, events []*audit.Event) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		byAccount := map[string][]*audit.Event{}
		var order []string
		for _, e := range events {
			if _, ok := byAccount[e.AccountID]; !ok {
				order = append(order, e.AccountID)
			}
			byAccount[e.AccountID] = append(byAccount[e.AccountID], e)
		}
		for _, acc := range order {
			if err := db.appendChain(ctx, acc, byAccount[acc]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) appendChain(ctx context.Context, accountID string, events []*audit.Event) error {
	q := db.write(ctx)
	var seq int64
	var hash string
	err := q.QueryRowContext(ctx, `INSERT INTO audit_heads (account_id, seq, hash) VALUES ($1, 0, '')
		ON CONFLICT (account_id) DO UPDATE SET seq = audit_heads.seq
		RETURNING seq, hash`, accountID).Scan(&seq, &hash)
	if err != nil {
		return fmt.Errorf("lock audit chain: %w", mapErr(err))
	}
	for _, e := range events {
		e.Seq, e.PrevHash = seq+1, hash
		e.Hash = audit.Hash(e)
		if err := db.insertEvent(ctx, e); err != nil {
			return err
		}
		seq, hash = e.Seq, e.Hash
	}
	_, err = q.ExecContext(ctx, `UPDATE audit_heads SET seq = $1, hash = $2 WHERE account_id = $3`, seq, hash, accountID)
	return mapErr(err)
}

func (db *DB) insertEvent(ctx context.Context, e *audit.Event) error {
	details, _ := json.Marshal(e.Details)
	ip, err := db.sealOptional(e.IP, "audit-ip:"+e.ID)
	if err != nil {
		return err
	}
	if _, err := db.write(ctx).ExecContext(ctx, `INSERT INTO audit_events (id, account_id, seq, action, actor, details,
		ip_enc, created_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, e.AccountID, e.Seq, e.Action, e.Actor, string(details), ip, micros(e.CreatedAt), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("insert audit event: %w", mapErr(err))
	}
	return nil
}

// AccountEvents implements audit.Store: the newest events of the account, at any time.
func (db *DB) AccountEvents(ctx context.Context, accountID string, limit int) ([]*audit.Event, error) {
	return db.SearchEvents(ctx, accountID, time.Time{}, time.Time{}, limit)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
