package app

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// wireLetters builds identity confirmation by a code in a registered letter, with its
// reminder job. It runs after wireCare (the notices).
func (a *App) wireLetters() {
	lc := letterConfig(a.Config)
	a.scaleLimits(&lc.WrongCodes)
	a.Letters = &letters.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, Profiles: a.DB,
		CodeKey: credential.CodeKey(a.Keys.CodeKey()), Limiter: a.Flows.Limiter, Queue: a.Flows.Outbox.Queue,
		Notices: a.Notices, Audit: a.Audit, Config: lc, Now: a.Now}
	a.Runner.Handlers[letters.JobKind] = a.Letters.Handle
}

func letterConfig(cfg *config.Config) letters.Config {
	lc := letters.DefaultConfig()
	lc.SiteURL = cfg.Issuer
	if cfg.LetterCodeTTL > 0 {
		lc.CodeTTL, lc.ReminderAfter = cfg.LetterCodeTTL, cfg.LetterReminder
	}
	return lc
}

// LetterService opens the configured database for the CLI's letters commands (print batches
// and tracking imports) and returns the letters service keyed exactly as the server keys it,
// so that the codes printed here verify on every node. The database must be migrated; the
// returned func releases it.
func LetterService(ctx context.Context, cfg *config.Config) (*letters.Service, func(), error) {
	keys, err := pii.LoadOrCreate(cfg.KeysFile, cfg.Dev)
	if err != nil {
		return nil, nil, fmt.Errorf("keys: %w", err)
	}
	db, err := OpenReadyDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return NewLetterService(db, keys, cfg, time.Now), func() { db.Close() }, nil
}

// NewLetterService is the letters service on db without messages and rate limits, as the
// CLI runs it.
func NewLetterService(db *sqlstore.DB, keys *pii.Keys, cfg *config.Config, now func() time.Time) *letters.Service {
	return &letters.Service{Tx: db, Store: db, Accounts: db, Profiles: db, CodeKey: credential.CodeKey(keys.CodeKey()),
		Queue: &jobs.Queue{Store: db, Now: now}, Audit: &audit.Recorder{Store: db, Now: now},
		Config: letterConfig(cfg), Now: now}
}
