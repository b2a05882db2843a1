package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// Group commit (SQLite only).
//
// SQLite has one writer, so write transactions run one after another whatever the number of
// requests. Each commit appends every page it touched to the WAL with two write calls per
// page, and most transactions touch the same pages: the right edge of each table and index,
// the chain head of an account. The writer therefore runs the transactions that queue up
// while it is busy inside one SQLite transaction, each in its own savepoint, and commits
// them together:
//
//   - each logical transaction is still atomic: an error (or a panic) in its function rolls
//     back its savepoint only, and its caller gets that error;
//   - they are serialized in queue order: a later one sees the earlier ones' writes, exactly
//     as if each had committed first;
//   - no caller hears back before the shared COMMIT is durable; if it fails, every member
//     gets the error and none of them took effect.
//
// A member's function runs without its caller's cancellation (context.WithoutCancel):
// SQLite answers an interrupted write inside a transaction by rolling back the whole
// transaction, which here would take the other members with it. A caller that gave up
// before its turn is skipped.

const (
	// groupMax bounds the members of one commit.
	groupMax = 64
	// groupBudget stops adding members once a group has run this long, so that a member's
	// wait for the commit stays short.
	groupBudget = 5 * time.Millisecond
)

// groupReq is one logical transaction waiting for the writer.
type groupReq struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan error
}

// panicked carries a member's panic back to its caller's goroutine.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string {
	return fmt.Sprintf("panic in transaction: %v\n%s", p.value, p.stack)
}

// WriterStats reports the SQLite writer's work since Open: the commits it made, the
// transactions they carried (transactions / commits is the mean group size), and the
// transactions waiting for it now. All zero on PostgreSQL.
func (db *DB) WriterStats() (commits, transactions uint64, waiting int64) {
	return db.commits.Load(), db.grouped.Load(), max(db.waiters.Load(), 0)
}

// errClosed answers transactions that arrive after Close.
var errClosed = errors.New("database is closed")

// startGroups starts the writer goroutine; stopGroups (in Close) ends it after the group it
// is running, and the checkpointer with it. The queue is unbuffered: a transaction is either
// taken by the writer or, once the writer has stopped, refused.
func (db *DB) startGroups() {
	db.queue = make(chan *groupReq)
	db.stop = make(chan struct{})
	db.writerDone = make(chan struct{})
	go db.writeLoop()
}

func (db *DB) stopGroups() {
	if db.queue != nil {
		db.stopOnce.Do(func() { close(db.stop) })
		<-db.writerDone
		<-db.checkpointDone
	}
}

// inGroup hands fn to the writer and waits for the commit of its group.
func (db *DB) inGroup(ctx context.Context, fn func(ctx context.Context) error) error {
	req := &groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.waiters.Add(1)
	defer db.waiters.Add(-1)
	select {
	case db.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stop:
		return errClosed
	}
	err := <-req.done
	if p, ok := err.(*panicked); ok {
		panic(p.value)
	}
	return err
}

func (db *DB) writeLoop() {
	defer close(db.writerDone)
	batch := make([]*groupReq, 0, groupMax)
	results := make([]error, 0, groupMax)
	for {
		select {
		case first := <-db.queue:
			db.runGroup(append(batch[:0], first), results[:0])
		case <-db.stop:
			return
		}
	}
}

// waiting returns a transaction already waiting for the writer, if any.
func (db *DB) waiting() (*groupReq, bool) {
	select {
	case req := <-db.queue:
		return req, true
	default:
		return nil, false
	}
}

// runGroup runs the queued transactions from batch[0] on in one SQLite transaction, taking
// more from the queue while there is room and time, commits, and answers every member.
func (db *DB) runGroup(batch []*groupReq, results []error) {
	tx, err := db.w.BeginTx(context.Background(), nil)
	if err != nil {
		db.answer(batch, nil, fmt.Errorf("begin: %w", mapErr(err)))
		return
	}
	start := time.Now()
	// The first member needs no savepoint: if it fails, the transaction holds nothing else
	// and is rolled back whole; the members waiting meanwhile start the next group.
	if res := run(tx, batch[0]); res != nil {
		_ = tx.Rollback()
		db.answer(batch, append(results, res), nil)
		return
	}
	results = append(results, nil)
	for i := 1; ; i++ {
		if len(batch) == groupMax || time.Since(start) > groupBudget {
			break
		}
		next, ok := db.waiting()
		if !ok {
			break
		}
		batch = append(batch, next)
		res, fatal := db.runMember(tx, batch[i])
		results = append(results, res)
		if fatal != nil {
			_ = tx.Rollback()
			db.answer(batch, results, fatal)
			return
		}
	}
	db.commits.Add(1)
	db.grouped.Add(uint64(len(batch)))
	if err := tx.Commit(); err != nil {
		db.answer(batch, results, fmt.Errorf("commit: %w", mapErr(err)))
		return
	}
	db.prepareMissed(context.Background())
	db.answer(batch, results, nil)
}

// run runs a member straight in the transaction, unless its caller is gone already.
func run(tx *sql.Tx, req *groupReq) error {
	if err := req.ctx.Err(); err != nil {
		return err
	}
	return runGuarded(store.ContextWithTx(context.WithoutCancel(req.ctx), tx), req.fn)
}

// runMember runs one of the later members in a savepoint. res is the member's own outcome;
// fatal means the shared transaction can no longer be trusted (a savepoint statement failed)
// and the whole group must be abandoned.
func (db *DB) runMember(tx *sql.Tx, req *groupReq) (res, fatal error) {
	if err := req.ctx.Err(); err != nil {
		return err, nil // its caller is gone: do not start it
	}
	if _, err := tx.Exec("SAVEPOINT member"); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	res = run(tx, req)
	if res != nil {
		if _, err := tx.Exec("ROLLBACK TO member"); err != nil {
			return res, fmt.Errorf("roll back to savepoint: %w", err)
		}
	}
	if _, err := tx.Exec("RELEASE member"); err != nil {
		return res, fmt.Errorf("release savepoint: %w", err)
	}
	return res, nil
}

// runGuarded runs fn, turning a panic into a *panicked error that inGroup re-raises on the
// caller's goroutine (the writer must survive a member's panic).
func runGuarded(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{value: v, stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// answer tells every member its outcome: its own error if it failed, else groupErr (nil
// when the group committed). Members past len(results) never ran.
func (db *DB) answer(batch []*groupReq, results []error, groupErr error) {
	for i, req := range batch {
		var err error
		if i < len(results) {
			err = results[i]
		}
		if err == nil {
			err = groupErr
		}
		req.done <- err
	}
}

// grouped is the writer outside a transaction on SQLite: a statement that only executes
// runs as a member of the next group commit; queries (INSERT ... RETURNING and the like)
// take the writer connection directly.
type grouped struct{ cached }

func (g grouped) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := g.db.inGroup(ctx, func(ctx context.Context) error {
		var err error
		res, err = g.db.write(ctx).ExecContext(ctx, q, args...)
		return err
	})
	return res, err
}
