package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// AppendEvents implements audit.Store: the chain heads of all the batch's accounts are locked
// and read in one statement, the events inserted with multi-row statements, and the heads
// written back in one statement. On PostgreSQL, outside a caller's transaction, a batch whose
// heads this node wrote last goes in one statement instead (audithead.go).
func (db *DB) AppendEvents(ctx context.Context, events []*audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	remember := db.autocommits(ctx)
	if remember {
		if done, err := db.appendHot(ctx, events); done || err != nil {
			return err
		}
	}
	var written map[string]chainHead
	err := db.InTx(ctx, func(ctx context.Context) error {
		var accounts []string
		for _, e := range events {
			if !slices.Contains(accounts, e.AccountID) {
				accounts = append(accounts, e.AccountID)
			}
		}
		// One order for every transaction, so that two batches never wait for each other's
		// heads in opposite orders (PostgreSQL).
		slices.Sort(accounts)
		heads, err := db.lockHeads(ctx, accounts)
		if err != nil {
			return err
		}
		written = linkEvents(events, heads)
		if err := db.insertEvents(ctx, events); err != nil {
			return err
		}
		return db.writeHeads(ctx, accounts, written)
	})
	if err == nil && remember {
		db.heads.put(written)
	}
	return err
}

type chainHead struct {
	seq  int64
	hash string
}

// rowChunk is the size of the next multi-row statement for n remaining rows: powers of two up
// to 32, so that the prepared-statement cache holds six texts per statement and n rows take
// at most about log2(n) statements (a round trip each on PostgreSQL: with sizes 32, 8 and 1,
// a batch of 7 events took seven).
func rowChunk(n int) int {
	size := 32
	for size > n {
		size /= 2
	}
	return max(size, 1)
}

// valuesList is "($k+1, ..., $k+cols), (...)" for rows rows, with literal columns appended to
// each row (for the head defaults).
func valuesList(rows, cols int, literal string) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteString(literal)
		b.WriteByte(')')
	}
	return b.String()
}

// lockHeads upserts the chain head rows of accounts: on PostgreSQL that locks them, so that
// concurrent appends to one chain wait for each other instead of failing.
func (db *DB) lockHeads(ctx context.Context, accounts []string) (map[string]chainHead, error) {
	q := db.write(ctx)
	heads := make(map[string]chainHead, len(accounts))
	for rest := accounts; len(rest) > 0; {
		n := rowChunk(len(rest))
		args := make([]any, n)
		for i, a := range rest[:n] {
			args[i] = a
		}
		rows, err := q.QueryContext(ctx, `INSERT INTO audit_heads (account_id, seq, hash) VALUES `+valuesList(n, 1, ", 0, ''")+`
			ON CONFLICT (account_id) DO UPDATE SET seq = audit_heads.seq RETURNING account_id, seq, hash`, args...)
		if err != nil {
			return nil, fmt.Errorf("lock audit chain: %w", mapErr(err))
		}
		for rows.Next() {
			var acc string
			var h chainHead
			if err := rows.Scan(&acc, &h.seq, &h.hash); err != nil {
				rows.Close()
				return nil, fmt.Errorf("lock audit chain: %w", mapErr(err))
			}
			heads[acc] = h
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("lock audit chain: %w", mapErr(err))
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("lock audit chain: %w", mapErr(err))
		}
		rest = rest[n:]
	}
	if len(heads) != len(accounts) {
		return nil, fmt.Errorf("lock audit chain: %d heads for %d accounts", len(heads), len(accounts))
	}
	return heads, nil
}

func (db *DB) writeHeads(ctx context.Context, accounts []string, heads map[string]chainHead) error {
	q := db.write(ctx)
	for rest := accounts; len(rest) > 0; {
		n := rowChunk(len(rest))
		args := make([]any, 0, 3*n)
		for _, a := range rest[:n] {
			args = append(args, a, heads[a].seq, heads[a].hash)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO audit_heads (account_id, seq, hash) VALUES `+valuesList(n, 3, "")+`
			ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, args...); err != nil {
			return fmt.Errorf("write audit chain head: %w", mapErr(err))
		}
		rest = rest[n:]
	}
	return nil
}

const eventCols = 10

func (db *DB) insertEvents(ctx context.Context, events []*audit.Event) error {
	q := db.write(ctx)
	for rest := events; len(rest) > 0; {
		n := rowChunk(len(rest))
		args := make([]any, 0, eventCols*n)
		for _, e := range rest[:n] {
			r, err := db.eventRow(e)
			if err != nil {
				return err
			}
			args = append(args, r.id, r.account, r.seq, r.action, r.actor, r.details, r.ip, r.createdAt, r.prevHash, r.hash)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO audit_events (id, account_id, seq, action, actor, details,
			ip_enc, created_at, prev_hash, hash) VALUES `+valuesList(n, eventCols, ""), args...); err != nil {
			return fmt.Errorf("insert audit event: %w", mapErr(err))
		}
		rest = rest[n:]
	}
	return nil
}

// AccountEvents implements audit.Store: the newest events of the account, at any time.
func (db *DB) AccountEvents(ctx context.Context, accountID string, limit int) ([]*audit.Event, error) {
	return db.SearchEvents(ctx, accountID, time.Time{}, time.Time{}, limit)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
