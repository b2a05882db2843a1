package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/store"
)

// knownHeads remembers the chain heads this node committed last, so that the next batch of
// those accounts can be appended on PostgreSQL in one autocommitted statement instead of a
// transaction of five round trips (begin, lock the heads, insert, write the heads, commit).
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

// appendHot appends, in one autocommitted statement, the events of every account whose chain
// head this node remembers, provided nobody moved that head since: for each such account the
// head update and its events commit together or not at all. It returns the events it did not
// write (accounts not remembered, or whose head moved), in their order, for the locking path.
// A conflict (two nodes' statements waiting on each other's heads) writes nothing and leaves
// every event to the locking path.
func (db *DB) appendHot(ctx context.Context, events []*audit.Event) ([]*audit.Event, error) {
	hot := db.heads.chain(events)
	if len(hot.events) == 0 {
		return events, nil
	}
	cols, err := db.hotColumns(hot.events)
	if err != nil {
		return nil, err
	}
	// The heads are locked first, in the byte order of their ids (COLLATE "C"), the order in
	// which the locking path takes them (slices.Sort), so that neither path waits for the
	// other's heads in the opposite order.
	rows, err := db.write(ctx).QueryContext(ctx, `WITH locked AS MATERIALIZED (
			SELECT account_id, seq, hash FROM audit_heads WHERE account_id = ANY($1::text[])
			ORDER BY account_id COLLATE "C" FOR UPDATE),
		head AS (
			UPDATE audit_heads AS a SET seq = h.new_seq, hash = h.new_hash
			FROM locked AS l JOIN unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])
				AS h(account_id, old_seq, old_hash, new_seq, new_hash)
				ON l.account_id = h.account_id AND l.seq = h.old_seq AND l.hash = h.old_hash
			WHERE a.account_id = l.account_id
			RETURNING a.account_id)
		INSERT INTO audit_events (id, account_id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)
		SELECT v.id, v.account_id, v.seq, v.action, v.actor, v.details, v.ip_enc, v.created_at, v.prev_hash, v.hash
		FROM unnest($6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bytea[],
			$13::bigint[], $14::text[], $15::text[])
			AS v(id, account_id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)
		WHERE v.account_id IN (SELECT account_id FROM head)
		RETURNING account_id`, append(hot.headArgs(), cols...)...)
	if err != nil {
		if errors.Is(mapErr(err), store.ErrConflict) {
			return events, nil
		}
		return nil, fmt.Errorf("append audit events: %w", mapErr(err))
	}
	written, err := accountSet(rows)
	if err != nil {
		return nil, fmt.Errorf("append audit events: %w", mapErr(err))
	}
	done := make(map[string]chainHead, len(written))
	var rest []*audit.Event
	for _, e := range events {
		if written[e.AccountID] {
			done[e.AccountID] = hot.next[e.AccountID]
		} else {
			rest = append(rest, e)
		}
	}
	db.heads.put(done)
	return rest, nil
}

// hotBatch is the part of a batch whose chains this node remembers: the events linked to the
// remembered heads, and each account's head before and after them.
type hotBatch struct {
	events    []*audit.Event
	accounts  []string
	old, next map[string]chainHead
}

// chain links the events of remembered accounts to their remembered heads.
func (k *knownHeads) chain(events []*audit.Event) hotBatch {
	k.mu.Lock()
	defer k.mu.Unlock()
	b := hotBatch{old: map[string]chainHead{}, next: map[string]chainHead{}}
	for _, e := range events {
		h, ok := b.next[e.AccountID]
		if !ok {
			if h, ok = k.m[e.AccountID]; !ok {
				continue
			}
			b.accounts = append(b.accounts, e.AccountID)
			b.old[e.AccountID] = h
		}
		e.Seq, e.PrevHash = h.seq+1, h.hash
		e.Hash = audit.Hash(e)
		b.next[e.AccountID] = chainHead{seq: e.Seq, hash: e.Hash}
		b.events = append(b.events, e)
	}
	return b
}

// headArgs are the statement's head arrays: account, old seq and hash, new seq and hash.
func (b hotBatch) headArgs() []any {
	n := len(b.accounts)
	ids, oldHashes, newHashes := make([]string, n), make([]string, n), make([]string, n)
	oldSeqs, newSeqs := make([]int64, n), make([]int64, n)
	for i, a := range b.accounts {
		ids[i] = a
		oldSeqs[i], oldHashes[i] = b.old[a].seq, b.old[a].hash
		newSeqs[i], newHashes[i] = b.next[a].seq, b.next[a].hash
	}
	return []any{ids, oldSeqs, oldHashes, newSeqs, newHashes}
}

// hotColumns are the statement's event arrays, one per column.
func (db *DB) hotColumns(events []*audit.Event) ([]any, error) {
	n := len(events)
	ids, accounts, actions, actors, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	prevs, hashes := make([]string, n), make([]string, n)
	seqs, times := make([]int64, n), make([]int64, n)
	ips := make([][]byte, n)
	for i, e := range events {
		d, _ := json.Marshal(e.Details)
		ip, err := db.sealOptional(e.IP, "audit-ip:"+e.ID)
		if err != nil {
			return nil, err
		}
		ids[i], accounts[i], seqs[i], actions[i], actors[i], details[i] = e.ID, e.AccountID, e.Seq, e.Action, e.Actor, string(d)
		ips[i], times[i], prevs[i], hashes[i] = ip, micros(e.CreatedAt), e.PrevHash, e.Hash
	}
	return []any{ids, accounts, seqs, actions, actors, details, ips, times, prevs, hashes}, nil
}

// accountSet reads the account ids a statement returned, once each.
func accountSet(rows *sql.Rows) (map[string]bool, error) {
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		set[a] = true
	}
	return set, rows.Err()
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
