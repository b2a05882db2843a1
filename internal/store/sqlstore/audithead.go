package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/store"
)

// knownHeads remembers the chain heads this node committed last, so that the next batch of
// one account can be appended on PostgreSQL in one autocommitted statement instead of a
// transaction of five round trips (begin, lock the head, insert, write the head, commit).
// A remembered head is only a guess: the statement updates the head only if it is still the
// one remembered, and inserts the events only if it did, so a stale entry (another node or
// another transaction wrote since) costs one statement that changes nothing, and the batch
// then takes the locking path. Correctness never depends on what is remembered here.
type knownHeads struct {
	mu sync.Mutex
	m  map[string]chainHead
}

// maxKnownHeads bounds the memory the guesses take (about 150 bytes each); when full, the map
// starts over, which costs only a slower next batch for the forgotten accounts.
const maxKnownHeads = 10_000

func (k *knownHeads) get(account string) (chainHead, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, ok := k.m[account]
	return h, ok
}

func (k *knownHeads) put(heads map[string]chainHead) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m)+len(heads) > maxKnownHeads {
		k.m = make(map[string]chainHead, len(heads))
	}
	for a, h := range heads {
		k.m[a] = h
	}
}

// appendHot appends events (all of one account) in one statement when this node knows the
// chain's head and nobody moved it since: the head update and the inserts commit together or
// not at all. It reports false, having written nothing, when that is not the case.
func (db *DB) appendHot(ctx context.Context, events []*audit.Event) (bool, error) {
	account := events[0].AccountID
	for _, e := range events {
		if e.AccountID != account {
			return false, nil
		}
	}
	old, ok := db.heads.get(account)
	if !ok {
		return false, nil
	}
	h := old
	n := len(events)
	ids, actions, actors, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	prevs, hashes := make([]string, n), make([]string, n)
	seqs, times := make([]int64, n), make([]int64, n)
	ips := make([][]byte, n)
	for i, e := range events {
		e.Seq, e.PrevHash = h.seq+1, h.hash
		e.Hash = audit.Hash(e)
		h.seq, h.hash = e.Seq, e.Hash
		d, _ := json.Marshal(e.Details)
		ip, err := db.sealOptional(e.IP, "audit-ip:"+e.ID)
		if err != nil {
			return false, err
		}
		ids[i], seqs[i], actions[i], actors[i], details[i] = e.ID, e.Seq, e.Action, e.Actor, string(d)
		ips[i], times[i], prevs[i], hashes[i] = ip, micros(e.CreatedAt), e.PrevHash, e.Hash
	}
	res, err := db.write(ctx).ExecContext(ctx, `WITH head AS (
			UPDATE audit_heads SET seq = $1, hash = $2
			WHERE account_id = $3 AND seq = $4 AND hash = $5 RETURNING account_id)
		INSERT INTO audit_events (id, account_id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)
		SELECT v.id, head.account_id, v.seq, v.action, v.actor, v.details, v.ip_enc, v.created_at, v.prev_hash, v.hash
		FROM head, unnest($6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::bytea[],
			$12::bigint[], $13::text[], $14::text[])
			AS v(id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)`,
		h.seq, h.hash, account, old.seq, old.hash,
		ids, seqs, actions, actors, details, ips, times, prevs, hashes)
	if err != nil {
		return false, fmt.Errorf("append audit events: %w", mapErr(err))
	}
	if rows, _ := res.RowsAffected(); rows == 0 {
		return false, nil // the head moved: nothing was written
	}
	db.heads.put(map[string]chainHead{account: h})
	return true, nil
}

// autocommits reports whether a statement run with ctx commits on its own: PostgreSQL (SQLite
// runs every write in a group transaction) and no transaction of the caller's around it.
func (db *DB) autocommits(ctx context.Context) bool {
	if db.dialect != Postgres {
		return false
	}
	_, inTx := store.TxFromContext(ctx)
	return !inTx
}
