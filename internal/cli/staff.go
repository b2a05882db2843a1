package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/staff"
)

func staffCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "staff",
		Short: "Manage the staff of service centers (operators and center administrators)",
		Long: `Manage who works at which service center, directly in the database.

Staff are existing Civis accounts, named by their login: a confirmed phone or email. An
operator registers, confirms and restores accounts at the workstation (/operator); a
center_admin also manages the center's operators there. Staff must turn on an authenticator
app to enter the workstation. Every change is written to the staff member's audit log.

The commands need the server's --db and --keys-file (or CIVIS_DB and CIVIS_KEYS_FILE).`,
	}
	cmd.AddCommand(staffAddCmd(), staffListCmd(), staffRemoveCmd())
	return cmd
}

// deskCmd completes a staff subcommand: the storage flags, and fn run with the staff desk.
func deskCmd(cmd *cobra.Command, fn func(cmd *cobra.Command, d *staff.Desk) error) *cobra.Command {
	return storageCmd(cmd, app.StaffDesk, func(cmd *cobra.Command, _ []string, _ *config.Config, d *staff.Desk) error {
		return staffErr(fn(cmd, d))
	})
}

// staffErr says what a refused staff change means for the platform admin.
func staffErr(err error) error {
	switch {
	case errors.Is(err, staff.ErrNoAccount):
		return errors.New("no active account has this login (a confirmed phone or email); the person must register first")
	case errors.Is(err, staff.ErrNoCenter):
		return errors.New("no service center with this id (see `civis centers list`)")
	case errors.Is(err, staff.ErrInvalidRole):
		return errors.New("--role must be operator or center_admin")
	case errors.Is(err, staff.ErrNotStaff):
		return errors.New("this account is not staff of any center")
	}
	return err
}

func staffAddCmd() *cobra.Command {
	var login, center, role string
	cmd := deskCmd(&cobra.Command{
		Use:     "add",
		Short:   "Make an existing account staff of a center (moving it from another center)",
		Args:    cobra.NoArgs,
		Example: `  civis staff add --center demo-tverskaya --login operator@example.ru --role center_admin`,
	}, func(cmd *cobra.Command, d *staff.Desk) error {
		m, err := d.AddByLogin(cmd.Context(), nil, login, center, staff.Role(role))
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "account %s is now %s at center %s\n", m.AccountID, m.Role, m.CenterID)
		return nil
	})
	fs := cmd.Flags()
	fs.StringVar(&center, "center", "", "the center's id (required)")
	fs.StringVar(&login, "login", "", "the account's confirmed phone or email (required)")
	fs.StringVar(&role, "role", string(staff.Operator), "operator or center_admin")
	_ = cmd.MarkFlagRequired("center")
	_ = cmd.MarkFlagRequired("login")
	return cmd
}

func staffListCmd() *cobra.Command {
	var center string
	cmd := deskCmd(&cobra.Command{
		Use:   "list",
		Short: "List a center's staff",
		Args:  cobra.NoArgs,
	}, func(cmd *cobra.Command, d *staff.Desk) error {
		rows, err := d.List(cmd.Context(), center)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tNAME\tROLE\tSINCE\tADDED BY")
		for _, r := range rows {
			name := ""
			if r.Account != nil {
				name = strings.TrimSpace(r.Account.LastName + " " + r.Account.FirstName)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.AccountID, name, r.Role, r.CreatedAt.UTC().Format("2006-01-02"), r.CreatedBy)
		}
		return tw.Flush()
	})
	cmd.Flags().StringVar(&center, "center", "", "the center's id (required)")
	_ = cmd.MarkFlagRequired("center")
	return cmd
}

func staffRemoveCmd() *cobra.Command {
	var login string
	cmd := deskCmd(&cobra.Command{
		Use:   "remove",
		Short: "End an account's work at its center",
		Args:  cobra.NoArgs,
	}, func(cmd *cobra.Command, d *staff.Desk) error {
		m, err := d.RemoveByLogin(cmd.Context(), nil, login)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "account %s is no longer %s at center %s\n", m.AccountID, m.Role, m.CenterID)
		return nil
	})
	cmd.Flags().StringVar(&login, "login", "", "the account's confirmed phone or email (required)")
	_ = cmd.MarkFlagRequired("login")
	return cmd
}
