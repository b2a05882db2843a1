package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/store"
)

// knownHeads remembers the chain heads this node committed last, so that the next batch of
// those accounts can be appended on PostgreSQL in one autocommitted statement instead of a
// transaction of five round trips (begin, lock the heads, insert, write the heads, commit).
// A remembered head is only a guess: the statement writes only if every head of the batch is
// still the one remembered, so a stale entry (another node or another transaction wrote
// since) costs one statement that changes nothing, and the batch then takes the locking path. Correctness never depends on what is remembered here.
type knownHeads struct {
	mu sync.Mutex
	m  map[string]chainHead
}

// maxKnownHeads bounds the memory the guesses take (about 150 bytes each); when full, the map
// starts over, which costs only a slower next batch for the forgotten accounts.
const maxKnownHeads = 10_000

// put remembers heads; when the map would outgrow maxKnownHeads with the accounts it does not
// hold yet, it starts over.
func (k *knownHeads) put(heads map[string]chainHead) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fresh := 0
	for a := range heads {
		if _, ok := k.m[a]; !ok {
			fresh++
		}
	}
	if k.m == nil || len(k.m)+fresh > maxKnownHeads {
		k.m = make(map[string]chainHead, len(heads))
	}
	for a, h := range heads {
		k.m[a] = h
	}
}

// lookup returns the remembered heads of every account of events, or false if one of them
// is not remembered.
func (k *knownHeads) lookup(events []*audit.Event) (map[string]chainHead, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	heads := map[string]chainHead{}
	for _, e := range events {
		h, ok := k.m[e.AccountID]
		if !ok {
			return nil, false
		}
		heads[e.AccountID] = h
	}
	return heads, true
}

// appendHot appends the batch in one autocommitted statement when this node remembers the
// chain head of every account in it and nobody moved any of them since; the heads and the
// events commit together or not at all. It reports false, having written nothing, when that
// is not the case (or when two nodes' statements waited on each other's heads): the batch
// then takes the locking path.
func (db *DB) appendHot(ctx context.Context, events []*audit.Event) (bool, error) {
	old, ok := db.heads.lookup(events)
	if !ok {
		return false, nil
	}
	next := linkEvents(events, old)
	cols, err := db.eventColumns(events)
	if err != nil {
		return false, err
	}
	// The heads are locked first, in the byte order of their ids (COLLATE "C"), the order in
	// which the locking path takes them (slices.Sort), so that neither path waits for the
	// other's heads in the opposite order. Nothing is written unless every head is still the
	// remembered one.
	res, err := db.write(ctx).ExecContext(ctx, `WITH locked AS MATERIALIZED (
			SELECT account_id, seq, hash FROM audit_heads WHERE account_id = ANY($1::text[])
			ORDER BY account_id COLLATE "C" FOR UPDATE),
		h AS MATERIALIZED (
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])
				AS h(account_id, old_seq, old_hash, new_seq, new_hash)),
		current AS MATERIALIZED (
			SELECT count(*) = cardinality($1::text[]) AS ok FROM locked AS l JOIN h
				ON l.account_id = h.account_id AND l.seq = h.old_seq AND l.hash = h.old_hash),
		head AS (
			UPDATE audit_heads AS a SET seq = h.new_seq, hash = h.new_hash
			FROM h, current WHERE current.ok AND a.account_id = h.account_id
			RETURNING a.account_id)
		INSERT INTO audit_events (id, account_id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)
		SELECT v.id, v.account_id, v.seq, v.action, v.actor, v.details, v.ip_enc, v.created_at, v.prev_hash, v.hash
		FROM unnest($6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bytea[],
			$13::bigint[], $14::text[], $15::text[])
			AS v(id, account_id, seq, action, actor, details, ip_enc, created_at, prev_hash, hash)
		WHERE v.account_id IN (SELECT account_id FROM head)`, append(headColumns(old, next), cols...)...)
	if err != nil {
		if errors.Is(mapErr(err), store.ErrConflict) {
			return false, nil
		}
		return false, fmt.Errorf("append audit events: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil // a head moved: nothing was written
	}
	db.heads.put(next)
	return true, nil
}

// linkEvents chains events, in order, to the heads of their accounts and returns the heads
// after them.
func linkEvents(events []*audit.Event, heads map[string]chainHead) map[string]chainHead {
	next := maps.Clone(heads)
	for _, e := range events {
		h := next[e.AccountID]
		e.Seq, e.PrevHash = h.seq+1, h.hash
		e.Hash = audit.Hash(e)
		next[e.AccountID] = chainHead{seq: e.Seq, hash: e.Hash}
	}
	return next
}

// headColumns are the statement's head arrays: account, old seq and hash, new seq and hash.
func headColumns(old, next map[string]chainHead) []any {
	n := len(old)
	ids, oldHashes, newHashes := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	oldSeqs, newSeqs := make([]int64, 0, n), make([]int64, 0, n)
	for a, h := range old {
		ids, oldSeqs, oldHashes = append(ids, a), append(oldSeqs, h.seq), append(oldHashes, h.hash)
		newSeqs, newHashes = append(newSeqs, next[a].seq), append(newHashes, next[a].hash)
	}
	return []any{ids, oldSeqs, oldHashes, newSeqs, newHashes}
}

// eventColumns are the statement's event arrays, one per column of eventRow.
func (db *DB) eventColumns(events []*audit.Event) ([]any, error) {
	n := len(events)
	ids, accounts, actions, actors, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	prevs, hashes := make([]string, n), make([]string, n)
	seqs, times := make([]int64, n), make([]int64, n)
	ips := make([][]byte, n)
	for i, e := range events {
		r, err := db.eventRow(e)
		if err != nil {
			return nil, err
		}
		ids[i], accounts[i], seqs[i], actions[i], actors[i], details[i] = r.id, r.account, r.seq, r.action, r.actor, r.details
		ips[i], times[i], prevs[i], hashes[i] = r.ip, r.createdAt, r.prevHash, r.hash
	}
	return []any{ids, accounts, seqs, actions, actors, details, ips, times, prevs, hashes}, nil
}

// auditRow is an event as stored: details as JSON, the address sealed, the time in
// microseconds.
type auditRow struct {
	id, account, action, actor, details, prevHash, hash string
	seq, createdAt                                      int64
	ip                                                  []byte
}

// eventRow is e as stored.
func (db *DB) eventRow(e *audit.Event) (auditRow, error) {
	d, _ := json.Marshal(e.Details) // a map of strings always encodes
	ip, err := db.sealOptional(e.IP, "audit-ip:"+e.ID)
	if err != nil {
		return auditRow{}, err
	}
	return auditRow{id: e.ID, account: e.AccountID, action: e.Action, actor: e.Actor, details: string(d),
		prevHash: e.PrevHash, hash: e.Hash, seq: e.Seq, createdAt: micros(e.CreatedAt), ip: ip}, nil
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
