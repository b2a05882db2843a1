package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/letters"
)

func lettersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "letters",
		Short: "Print batches of registered letters with confirmation codes, and import their tracking",
		Long: `Registered letters carry the codes that confirm a citizen's identity (method mail_code).

"batch" gives every ordered letter its code and writes the batch for the print house; the
codes exist only in those files, so hand them over and delete them. "track" imports the post's
tracking report. A running server takes the same reports at POST /api/v1/admin/letters/tracking.
See docs/letters.md.

The commands need the server's --db and --keys-file (or CIVIS_DB and CIVIS_KEYS_FILE): the
codes are hashed with the keys file's code key, so a code printed here verifies on every node.`,
	}
	cmd.AddCommand(lettersBatchCmd(), lettersTrackCmd())
	return cmd
}

// lettersServiceCmd completes a letters subcommand: the storage flags, and fn run with the
// service and the configuration.
func lettersServiceCmd(cmd *cobra.Command, fn func(cmd *cobra.Command, args []string, cfg *config.Config, svc *letters.Service) error) *cobra.Command {
	return storageCmd(cmd, app.LetterService, fn, "issuer", "letter-code-ttl", "letter-reminder")
}

func lettersBatchCmd() *cobra.Command {
	var out string
	var hold bool
	cmd := lettersServiceCmd(&cobra.Command{
		Use:   "batch --out DIR",
		Short: "Write the print batch of every ordered letter and mark the letters sent",
		Args:  cobra.NoArgs,
		Example: `  civis letters batch --out /srv/print/outbox --issuer https://id.example.ru
  # DIR/batch-2026-03-01.csv and DIR/batch-2026-03-01/<letter_id>.html, one page per letter`,
	}, func(cmd *cobra.Command, _ []string, cfg *config.Config, svc *letters.Service) error {
		return RunBatch(cmd, svc, out, cfg.Issuer, hold)
	})
	cmd.Flags().StringVar(&out, "out", "", "directory for the batch files (required)")
	cmd.Flags().BoolVar(&hold, "hold", false, "leave the letters batched until a tracking report says sent (their codes start then)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// RunBatch runs one print batch into dir and reports it on cmd's output. Each chunk of
// letters is recorded only after its files are written; on an error the files hold exactly
// the letters recorded before it (the error names the CSV), which must be handed over too.
func RunBatch(cmd *cobra.Command, svc *letters.Service, dir, site string, hold bool) error {
	var files *letters.Files
	b, err := svc.Batch(cmd.Context(), letters.BatchOptions{Hold: hold}, func(b *letters.Batch) error {
		var err error
		files, err = letters.WriteFiles(dir, b, site)
		return err
	})
	if err != nil {
		if files != nil {
			files.Remove()
		}
		return err
	}
	w := cmd.OutOrStdout()
	if len(b.Letters) == 0 {
		fmt.Fprintln(w, "No letters are waiting to be printed.")
		return nil
	}
	state := "sent"
	if hold {
		state = "batched (report them sent with `civis letters track`)"
	}
	fmt.Fprintf(w, "batch %s: %d letters, now %s\n  %s\n  %d sheets in %s\n", b.ID, len(b.Letters), state,
		files.CSV, len(files.Sheets), dirOf(files))
	fmt.Fprintln(cmd.ErrOrStderr(), "The files hold the codes in plain text and nothing else does: hand them to the print house, then delete them.")
	return nil
}

func dirOf(f *letters.Files) string {
	if len(f.Sheets) == 0 {
		return ""
	}
	return filepath.Dir(f.Sheets[0])
}

func lettersTrackCmd() *cobra.Command {
	return lettersServiceCmd(&cobra.Command{
		Use:   "track FILE.csv",
		Short: "Import the post's tracking report (columns letter_id, tracking_number, state)",
		Args:  cobra.ExactArgs(1),
		Example: `  civis letters track tracking.csv
  # letter_id,tracking_number,state
  # 01a2043c-...,RA123456789RU,sent`,
	}, func(cmd *cobra.Command, args []string, _ *config.Config, svc *letters.Service) error {
		return runTrack(cmd, svc, args[0])
	})
}

func runTrack(cmd *cobra.Command, svc *letters.Service, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	updates, err := letters.ParseTrackingCSV(f)
	if err != nil {
		return err
	}
	res, err := svc.Track(cmd.Context(), updates, "system")
	var ve *flow.ValidationError
	if errors.As(err, &ve) {
		msg := "nothing was imported:"
		for _, fe := range ve.Fields {
			msg += fmt.Sprintf("\n  row %s: %s", rowOf(fe.Field), fe.Message)
		}
		return errors.New(msg)
	}
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "LETTER\tSTATE\tCHANGED")
	for _, r := range res {
		fmt.Fprintf(w, "%s\t%s\t%v\n", r.LetterID, r.State, r.Changed)
	}
	return w.Flush()
}

// rowOf turns a field "[i].name" into the file's row number (the header is row 1) and name.
func rowOf(field string) string {
	var i int
	var name string
	if n, _ := fmt.Sscanf(field, "[%d].%s", &i, &name); n == 2 {
		return fmt.Sprintf("%d (%s)", i+2, name)
	}
	return field
}
