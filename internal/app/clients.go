package app

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// ClientRegistry opens the configured database for the CLI's client commands and returns the
// relying-party registry keyed exactly as the server keys it, so that a secret issued here
// verifies on every node. The database must be migrated; the returned func releases it.
func ClientRegistry(ctx context.Context, cfg *config.Config) (*rp.Service, func(), error) {
	keys, err := pii.LoadOrCreate(cfg.KeysFile, cfg.Dev)
	if err != nil {
		return nil, nil, fmt.Errorf("keys: %w", err)
	}
	db, err := OpenReadyDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	a := &App{Keys: keys}
	reg := &rp.Service{Store: db, SecretKey: a.derive("client-secret"), Now: time.Now, Tx: db, Data: db}
	return reg, func() { db.Close() }, nil
}

// OpenReadyDB is OpenDB for commands that read and write data: it refuses a database whose
// schema is not at this binary's version.
func OpenReadyDB(ctx context.Context, cfg *config.Config) (*sqlstore.DB, error) {
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := db.Ready(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database not ready (apply the migrations with `civis migrate`): %w", err)
	}
	return db, nil
}
