package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/signing"
)

func keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the personal-data keys file and the OIDC signing keys",
		Long: `Civis has two kinds of keys, kept in different places.

Personal-data keys live in the keys file (--keys-file, CIVIS_KEYS_FILE), the same file on every
node. They encrypt personal data at rest and key the blind indexes and one-time code hashes.
  init              create the keys file
  rotate-data-key   add a new primary data key; older keys still decrypt. Copy the file to
                    every node and restart them.

OIDC signing keys live in the database (--db, CIVIS_DB), sealed with the keys file. They sign
ID tokens and logout tokens; relying parties fetch their public halves from the JWKS endpoint.
  rotate            make a new signing key active; the previous keys stay published for 24
                    hours so that tokens they signed still verify. Nodes switch within a
                    minute; no restart.
  list              show the signing keys still published`,
	}
	var path string
	cmd.PersistentFlags().StringVar(&path, "keys-file", "./civis-data/keys.json", "keys file (env CIVIS_KEYS_FILE)")
	resolve := func() string {
		if !cmd.PersistentFlags().Changed("keys-file") {
			if v := os.Getenv("CIVIS_KEYS_FILE"); v != "" {
				return v
			}
		}
		return path
	}
	cmd.AddCommand(&cobra.Command{
		Use: "init", Short: "Create a new keys file (refuses to overwrite one)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := resolve()
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s exists; refusing to overwrite the keys that encrypt your data", p)
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			if _, err := pii.LoadOrCreate(p, true); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s (mode 0600); back it up: without it personal data cannot be read\n", p)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use: "rotate-data-key", Short: "Add a new primary key for personal data (old keys still decrypt)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rotateDataKey(cmd, resolve())
		},
	})
	cmd.AddCommand(signingRotateCmd(), signingListCmd())
	return cmd
}

func rotateDataKey(cmd *cobra.Command, p string) error {
	k, err := pii.LoadOrCreate(p, false)
	if err != nil {
		return err
	}
	if err := k.Rotate(); err != nil {
		return err
	}
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := k.Write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "rotated the data key in %s; restart every node to use it\n", p)
	return nil
}

// signingCmd completes a signing-key subcommand: the storage flags (its own --keys-file shadows
// the parent's), and fn run with a signing.Manager on the database.
func signingCmd(cmd *cobra.Command, fn func(cmd *cobra.Command, m *signing.Manager) error) *cobra.Command {
	load := loadConfigFor(cmd, false)
	flagsOnly(cmd.Flags(), "db", "dev", "keys-file")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := load()
		if err != nil {
			return err
		}
		db, err := app.OpenReadyDB(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, &signing.Manager{Store: db, Now: time.Now})
	}
	return cmd
}

func signingRotateCmd() *cobra.Command {
	var alg string
	cmd := signingCmd(&cobra.Command{
		Use:   "rotate",
		Short: "Make a new OIDC signing key active (the old ones stay published for 24h)",
		Args:  cobra.NoArgs,
	}, func(cmd *cobra.Command, m *signing.Manager) error {
		k, err := m.Rotate(cmd.Context(), strings.ToUpper(alg))
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s (%s) is active; the keys it replaced stay published until %s;\n"+
			"running nodes sign with the new key within a minute\n", k.ID, k.Algorithm,
			time.Now().Add(24*time.Hour).Format("2006-01-02 15:04 MST"))
		return nil
	})
	cmd.Flags().StringVar(&alg, "alg", signing.ES256, "algorithm of the new key: ES256 or RS256")
	return cmd
}

func signingListCmd() *cobra.Command {
	return signingCmd(&cobra.Command{
		Use:   "list",
		Short: "List the OIDC signing keys still published in the JWKS",
		Args:  cobra.NoArgs,
	}, func(cmd *cobra.Command, m *signing.Manager) error {
		keys, err := m.Store.PublishedKeys(cmd.Context(), time.Now().UTC())
		if err != nil {
			return err
		}
		at := func(t time.Time) string {
			if t.IsZero() {
				return "-"
			}
			return t.Local().Format("2006-01-02 15:04")
		}
		w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tALG\tSTATE\tCREATED\tRETIRED\tPUBLISHED UNTIL")
		for _, k := range keys {
			state := "active"
			if !k.RetiredAt.IsZero() {
				state = "retired"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, state, at(k.CreatedAt), at(k.RetiredAt), at(k.PublishTil))
		}
		if len(keys) == 0 {
			fmt.Fprintln(w, "(none: the server creates an ES256 key when it first needs one)\t\t\t\t\t")
		}
		return w.Flush()
	})
}
