package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/config"
)

// storageCmd completes a subcommand that works on the database directly: it keeps the storage
// flags (--db, --dev, --keys-file, and extra), opens a part of the domain with open, runs fn
// with it and releases it.
func storageCmd[S any](cmd *cobra.Command, open func(context.Context, *config.Config) (S, func(), error),
	fn func(cmd *cobra.Command, args []string, cfg *config.Config, s S) error, extra ...string) *cobra.Command {
	load := loadConfigFor(cmd, false)
	flagsOnly(cmd.Flags(), append([]string{"db", "dev", "keys-file"}, extra...)...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := load()
		if err != nil {
			return err
		}
		s, done, err := open(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer done()
		return fn(cmd, args, cfg, s)
	}
	return cmd
}
