package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/app"
)

func serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Civis server (migrates the database first)",
		Args:  cobra.NoArgs,
	}
	load := loadConfig(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := load()
		if err != nil {
			return err
		}
		log := newLogger(cfg, cmd.ErrOrStderr())
		a, err := app.New(cmd.Context(), cfg, log, true)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(cmd.Context(), func(addr string) {
			log.Info("civis listening", "addr", addr, "issuer", cfg.Issuer, "db", string(a.DB.Dialect()), "dev", cfg.Dev)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Civis %s is running.\n  Site:        %s/\n", Version, cfg.Issuer)
			if cfg.Dev {
				fmt.Fprintf(out, "  Dev outbox:  %s/dev/outbox\n", cfg.Issuer)
				fmt.Fprintf(out, "  Workstation: %s/operator (sign in as %s, password %s, authenticator app secret %s)\n",
					cfg.Issuer, app.DemoOperatorLogin, app.DemoOperatorPassword, app.DemoOperatorTOTP)
			}
			fmt.Fprintf(out, "  API:         %s/api/v1/openapi.json\n  Health:      %s/readyz\n", cfg.Issuer, cfg.Issuer)
		})
	}
	return cmd
}

func migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		Args:  cobra.NoArgs,
	}
	load := loadConfigFor(cmd, false)
	flagsOnly(cmd.Flags(), "db", "dev", "keys-file", "log-level", "log-format")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := load()
		if err != nil {
			return err
		}
		db, err := app.OpenDB(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Migrate(cmd.Context())
		if err != nil {
			return err
		}
		v, _ := db.LatestVersion()
		fmt.Fprintf(cmd.OutOrStdout(), "applied %d migrations; schema at version %d (%s)\n", n, v, db.Dialect())
		return nil
	}
	return cmd
}
