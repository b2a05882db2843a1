package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/civis-id/civis/internal/store"
)

// Dialect names a database engine.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sealer encrypts personal data and computes blind indexes (pii.Keys implements it).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(ciphertext, aad []byte) ([]byte, error)
	BlindIndex(kind, normalized string) string
}

// DB is the storage implementation. On SQLite it holds one writer connection (writes are
// serialized by SQLite anyway; BEGIN IMMEDIATE avoids lock upgrades) and a pool of readers;
// on PostgreSQL both are the same pool.
type DB struct {
	w, r    *sql.DB
	dialect Dialect
	keys    Sealer
	stmts   sync.Map // stmtKey -> *sql.Stmt: each SQL text is parsed once per pool
	// unprepared holds statements first met inside a transaction, prepared after it.
	unprepared sync.Map
	// queue, stop and writerDone run SQLite's write transactions in groups (group.go);
	// nil on PostgreSQL.
	queue      chan *groupReq
	stop       chan struct{}
	writerDone chan struct{}
	// checkpointDone is closed when the checkpointer has stopped (checkpoint.go).
	checkpointDone chan struct{}
	stopOnce       sync.Once
	// heads remembers the audit chain heads this node wrote last (audithead.go).
	heads   knownHeads
	waiters atomic.Int64  // transactions handed to the writer and not yet answered
	commits atomic.Uint64 // group commits attempted
	grouped atomic.Uint64 // transactions those commits carried
}

var _ store.Transactor = (*DB)(nil)

// Options tunes the connection pools.
type Options struct {
	MaxConns int // PostgreSQL pool size and SQLite reader pool size; default 4*GOMAXPROCS
}

// Open connects to dsn: "sqlite:PATH" or a postgres:// URL. It does not migrate.
func Open(ctx context.Context, dsn string, keys Sealer, o Options) (*DB, error) {
	if o.MaxConns <= 0 {
		o.MaxConns = 4 * runtime.GOMAXPROCS(0)
	}
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"), o)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(dsn, o)
	default:
		return nil, fmt.Errorf("database %q: want sqlite:PATH or postgres://...", redact(dsn))
	}
	if err != nil {
		return nil, err
	}
	db.keys = keys
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.dialect, err)
	}
	return db, nil
}

func openSQLite(path string, o Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite path is empty")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	// WAL checkpoints run in a goroutine of their own (checkpoint.go); the writer's automatic
	// checkpoint is only a backstop.
	w, err := sql.Open("sqlite", base+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", backstopPages)+
		"&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	cp, err := sql.Open("sqlite", base)
	if err != nil {
		w.Close()
		return nil, err
	}
	cp.SetMaxOpenConns(1)
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		cp.Close()
		return nil, err
	}
	r.SetMaxOpenConns(o.MaxConns)
	r.SetMaxIdleConns(o.MaxConns)
	db := &DB{w: w, r: r, dialect: SQLite}
	db.startGroups()
	db.startCheckpointer(cp)
	return db, nil
}

func openPostgres(dsn string, o Options) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(o.MaxConns)
	p.SetMaxIdleConns(o.MaxConns)
	p.SetConnMaxLifetime(30 * time.Minute)
	return &DB{w: p, r: p, dialect: Postgres}, nil
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return err
	}
	return db.r.PingContext(ctx)
}

// Close stops the writer, then closes the prepared statements and the pools.
func (db *DB) Close() error {
	db.stopGroups()
	db.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// read returns the transaction in ctx, or the reader pool.
func (db *DB) read(ctx context.Context) querier {
	if tx, ok := store.TxFromContext(ctx); ok {
		return cached{db: db, pool: db.w, tx: tx.(*sql.Tx)}
	}
	return cached{db: db, pool: db.r}
}

// write returns the transaction in ctx, or else the writer: a statement of its own, which on
// SQLite joins the writer's group commit when it only executes (group.go).
func (db *DB) write(ctx context.Context) querier {
	if tx, ok := store.TxFromContext(ctx); ok {
		return cached{db: db, pool: db.w, tx: tx.(*sql.Tx)}
	}
	if db.queue != nil {
		return grouped{cached{db: db, pool: db.w}}
	}
	return cached{db: db, pool: db.w}
}

type stmtKey struct {
	pool *sql.DB
	q    string
}

// cached runs statements on a pool, or on a transaction of that pool, through prepared
// statements kept for the life of the DB: the SQL is parsed once per connection instead of
// on every call, which is a large share of a short query's cost on SQLite.
type cached struct {
	db   *DB
	pool *sql.DB
	tx   *sql.Tx
}

func (c cached) stmt(ctx context.Context, q string) *sql.Stmt {
	key := stmtKey{c.pool, q}
	if st, ok := c.db.stmts.Load(key); ok {
		return c.bind(ctx, st.(*sql.Stmt))
	}
	if c.tx != nil {
		// Preparing on the pool now could wait for the very connection this transaction
		// holds (SQLite has one writer); prepare it once the transaction is over.
		c.db.unprepared.Store(key, struct{}{})
		return nil
	}
	st, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil // the caller runs the query unprepared and reports its error
	}
	if prev, loaded := c.db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return c.bind(ctx, st)
}

func (c cached) bind(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if c.tx != nil {
		return c.tx.StmtContext(ctx, st)
	}
	return st
}

func (c cached) direct() querier {
	if c.tx != nil {
		return c.tx
	}
	return c.pool
}

func (c cached) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.direct().ExecContext(ctx, q, args...)
}

func (c cached) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.direct().QueryContext(ctx, q, args...)
}

func (c cached) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.direct().QueryRowContext(ctx, q, args...)
}

// InTx implements store.Transactor. On SQLite the transaction joins the writer's next group
// commit (group.go); on PostgreSQL it is a transaction of its own.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := store.TxFromContext(ctx); ok {
		return fn(ctx)
	}
	if db.queue != nil {
		return db.inGroup(ctx, fn)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	if err := fn(store.ContextWithTx(ctx, tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	db.prepareMissed(ctx)
	return nil
}

// prepareMissed prepares the statements that transactions ran unprepared, now that the
// writer connection is free again.
func (db *DB) prepareMissed(ctx context.Context) {
	db.unprepared.Range(func(k, _ any) bool {
		db.unprepared.Delete(k)
		key := k.(stmtKey)
		if _, ok := db.stmts.Load(key); ok {
			return true
		}
		if st, err := key.pool.PrepareContext(ctx, key.q); err == nil {
			if _, loaded := db.stmts.LoadOrStore(key, st); loaded {
				st.Close()
			}
		}
		return true
	})
}

// identifierIndex is a unique index that keeps an identifier to one account: PostgreSQL
// reports its violation by the index's name, SQLite by its columns ("UNIQUE constraint
// failed: contacts.kind, contacts.value_index").
type identifierIndex struct{ name, columns string }

// identifierIndexes are the indexes whose violation is store.ErrTaken.
var identifierIndexes = []identifierIndex{
	{"contacts_verified_value", "contacts.kind, contacts.value_index"},
	{"profiles_verified_snils", "profiles.snils_index"},
}

// mapErr turns engine errors into store sentinels: a violation of an identifier's unique
// index is store.ErrTaken; of another unique index, a serialization failure or a deadlock,
// store.ErrConflict.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "40001" || pe.Code == "40P01") {
		return pgConflict(pe)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return sqliteConflict(se.Error())
		}
	}
	return err
}

// pgConflict maps a PostgreSQL unique violation (23505), serialization failure (40001) or
// deadlock (40P01).
func pgConflict(pe *pgconn.PgError) error {
	if pe.Code == "23505" && slices.ContainsFunc(identifierIndexes, func(ix identifierIndex) bool { return ix.name == pe.ConstraintName }) {
		return fmt.Errorf("%w: %s", store.ErrTaken, pe.ConstraintName)
	}
	if pe.ConstraintName == "" {
		return fmt.Errorf("%w: %s", store.ErrConflict, pe.Code)
	}
	return fmt.Errorf("%w: %s", store.ErrConflict, pe.ConstraintName)
}

// sqliteConflict maps the message of an SQLite uniqueness violation.
func sqliteConflict(msg string) error {
	for _, ix := range identifierIndexes {
		_, rest, ok := strings.Cut(msg, "constraint failed: "+ix.columns)
		if ok && (rest == "" || rest[0] == ' ') { // not a longer column list that starts alike
			return fmt.Errorf("%w: %s", store.ErrTaken, ix.name)
		}
	}
	return fmt.Errorf("%w: %s", store.ErrConflict, msg)
}

// micros stores a time as Unix microseconds; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros, in UTC.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	u.User = url.User(u.User.Username())
	return u.String()
}
