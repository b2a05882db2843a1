package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/jobs"
)

func jobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Show the background job queue: counts by kind and state, and failed jobs",
		Args:  cobra.NoArgs,
	}
	load := loadConfigFor(cmd, false)
	flagsOnly(cmd.Flags(), "db", "dev", "keys-file")
	failed := cmd.Flags().Int("failed", 20, "list up to this many failed jobs")
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
		stats, err := db.JobStats(cmd.Context())
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KIND\tSTATE\tCOUNT")
		for _, s := range stats {
			fmt.Fprintf(w, "%s\t%s\t%d\n", s.Kind, s.State, s.Count)
		}
		if len(stats) == 0 {
			fmt.Fprintln(w, "(empty)\t\t0")
		}
		w.Flush()
		list, err := db.ListJobs(cmd.Context(), jobs.Failed, *failed)
		if err != nil || len(list) == 0 {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), "\nFailed jobs:")
		w = tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tKIND\tATTEMPTS\tCREATED\tLAST ERROR")
		for _, j := range list {
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", j.ID, j.Kind, j.Attempts, j.CreatedAt.Format("2006-01-02 15:04"), j.LastError)
		}
		return w.Flush()
	}
	return cmd
}
