package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/civis-id/civis/internal/config"
)

// Version is set at build time with -ldflags "-X github.com/civis-id/civis/internal/cli.Version=...".
var Version = "dev"

// Run executes the command line and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "civis",
		Short:         "Civis — a national identity provider",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(serveCmd(), migrateCmd(), versionCmd(), jobsCmd(), keysCmd(), clientsCmd(), benchCmd(), lettersCmd())
	root.AddCommand(centersCmd())
	root.AddCommand(staffCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "civis:", err)
		return 1
	}
	return 0
}

// loadConfig binds the shared flags to cmd and returns a function that applies the environment
// and validates, to be called in RunE.
func loadConfig(cmd *cobra.Command) func() (*config.Config, error) {
	return loadConfigFor(cmd, true)
}

// loadConfigFor is loadConfig for commands that serve (serving) or only maintain storage.
func loadConfigFor(cmd *cobra.Command, serving bool) func() (*config.Config, error) {
	cfg := config.Bind(cmd.Flags())
	return func() (*config.Config, error) {
		if err := config.ApplyEnv(cmd.Flags(), nil); err != nil {
			return nil, err
		}
		validate := cfg.ValidateStorage
		if serving {
			validate = cfg.Validate
		}
		if err := validate(); err != nil {
			return nil, fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		}
		return cfg, nil
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "civis", Version)
		},
	}
}

// flagsOnly hides the serve flags a subcommand does not use from its help.
func flagsOnly(fs *pflag.FlagSet, keep ...string) {
	set := map[string]bool{}
	for _, k := range keep {
		set[k] = true
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if !set[f.Name] {
			f.Hidden = true
		}
	})
}
