package app

import (
	"context"

	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// OpenDB opens the configured database with the keys file (created only in dev mode), for
// the CLI's maintenance commands.
func OpenDB(ctx context.Context, cfg *config.Config) (*sqlstore.DB, error) {
	keys, err := pii.LoadOrCreate(cfg.KeysFile, cfg.Dev)
	if err != nil {
		return nil, err
	}
	return sqlstore.Open(ctx, cfg.DB, keys, sqlstore.Options{MaxConns: 2})
}
