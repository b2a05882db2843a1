package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/adminapi"
	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/store"
)

// centersCacheNote tells the operator how long other nodes may still show a center's old
// details (center.DefaultCacheTTL).
const centersCacheNote = "running nodes show the change within 30 seconds"

func centersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "centers",
		Short: "Manage the directory of service centers",
		Long: `Manage the directory of service centers directly in the database: the centers citizens find
at /centers, with their address, coordinates, opening hours, phone and services
(register, confirm, recover, delete).

The commands need the server's --db (or CIVIS_DB). A running server exposes the same
operations over HTTP under /api/v1/admin/centers when --admin-token is set. The CSV format
of import is described in docs/service-centers.md.`,
	}
	cmd.AddCommand(centersAddCmd(), centersListCmd(), centersShowCmd(), centersDeleteCmd(), centersImportCmd())
	return cmd
}

// directoryCmd completes a centers subcommand: the storage flags, and fn run with the
// directory.
func directoryCmd(cmd *cobra.Command, fn func(cmd *cobra.Command, args []string, dir *center.Service) error) *cobra.Command {
	return storageCmd(cmd, app.CenterDirectory, func(cmd *cobra.Command, args []string, _ *config.Config, dir *center.Service) error {
		return fn(cmd, args, dir)
	})
}

func centersAddCmd() *cobra.Command {
	var in center.Input
	var services []string
	var asJSON bool
	cmd := directoryCmd(&cobra.Command{
		Use:   "add",
		Short: "Add a service center",
		Args:  cobra.NoArgs,
		Example: `  civis centers add --id mfc-tverskoy --name "МФЦ района Тверской" \
    --address "Москва, ул. Тверская, 8" --lat 55.7602 --lon 37.6085 \
    --hours "Mon-Fri 08:00-20:00; Sat 10:00-18:00" --phone "+7 495 777-77-01" \
    --services register,confirm,recover,delete`,
	}, func(cmd *cobra.Command, _ []string, dir *center.Service) error {
		in.Services = splitList(services)
		c, err := dir.Create(cmd.Context(), in)
		if err != nil {
			return centerError(err, in.ID)
		}
		if asJSON {
			return writeJSON(cmd.OutOrStdout(), adminapi.CenterView(c))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "center_id: %s\n", c.ID)
		return nil
	})
	fs := cmd.Flags()
	fs.StringVar(&in.ID, "id", "", "center id: Latin letters, digits, dots, dashes, underscores (default: generated)")
	fs.StringVar(&in.Name, "name", "", "name shown to citizens (required)")
	fs.StringVar(&in.Address, "address", "", "postal address (required)")
	fs.Float64Var(&in.Lat, "lat", math.NaN(), "latitude in degrees, such as 55.7558 (required)")
	fs.Float64Var(&in.Lon, "lon", math.NaN(), "longitude in degrees, such as 37.6173 (required)")
	fs.StringVar(&in.Hours, "hours", "", `opening hours, such as "Mon-Fri 09:00-20:00; Sat 10:00-17:00" (required)`)
	fs.StringVar(&in.TimeZone, "timezone", "", "IANA time zone of the hours (default "+center.DefaultTimeZone+")")
	fs.StringVar(&in.Phone, "phone", "", "phone number")
	fs.StringArrayVar(&services, "services", nil, "services offered, comma separated: "+strings.Join(center.AllServices, ", ")+" (required)")
	fs.BoolVar(&asJSON, "json", false, "print the center as JSON")
	return cmd
}

// centerError explains a directory error: every field problem on its own line (as its flag),
// or an unknown id.
func centerError(err error, id string) error {
	var ve *center.ValidationError
	switch {
	case errors.As(err, &ve):
		var b strings.Builder
		b.WriteString("invalid center:")
		for _, fe := range ve.Fields {
			fmt.Fprintf(&b, "\n  --%s: %s (%s)", fe.Field, fe.Message, fe.Code)
		}
		return errors.New(b.String())
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no center has id %q", id)
	}
	return err
}

func centersListCmd() *cobra.Command {
	var asJSON, asCSV bool
	cmd := directoryCmd(&cobra.Command{Use: "list", Short: "List the centers by name", Args: cobra.NoArgs},
		func(cmd *cobra.Command, _ []string, dir *center.Service) error {
			list, err := dir.List(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				res := adminapi.CenterList{Centers: []adminapi.Center{}}
				for _, c := range list {
					res.Centers = append(res.Centers, adminapi.CenterView(c))
				}
				return writeJSON(out, res)
			case asCSV:
				return center.WriteCSV(out, list)
			}
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tSERVICES\tHOURS")
			for _, c := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.ID, c.Name, strings.Join(c.Services, ","), c.Hours)
			}
			if len(list) == 0 {
				fmt.Fprintln(w, "(none)\t\t\t")
			}
			return w.Flush()
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the centers as JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print the centers as CSV in the import format (edit and import again)")
	cmd.MarkFlagsMutuallyExclusive("json", "csv")
	return cmd
}

func centersShowCmd() *cobra.Command {
	var asJSON bool
	cmd := directoryCmd(&cobra.Command{Use: "show ID", Short: "Show a center", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, args []string, dir *center.Service) error {
			c, err := dir.Store.GetCenter(cmd.Context(), args[0])
			if err != nil {
				return centerError(err, args[0])
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), adminapi.CenterView(c))
			}
			return showCenter(cmd.OutOrStdout(), c)
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the center as JSON")
	return cmd
}

func showCenter(out io.Writer, c *center.Center) error {
	phone := c.Phone
	if phone == "" {
		phone = "-"
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"id", c.ID}, {"name", c.Name}, {"address", c.Address}, {"coordinates", fmt.Sprintf("%v, %v", c.Lat, c.Lon)},
		{"hours", c.Hours.String()}, {"time zone", c.Hours.Zone}, {"phone", phone},
		{"services", strings.Join(c.Services, " ")},
		{"created", c.CreatedAt.Local().Format("2006-01-02 15:04:05 MST")},
		{"updated", c.UpdatedAt.Local().Format("2006-01-02 15:04:05 MST")},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
	}
	return w.Flush()
}

func centersDeleteCmd() *cobra.Command {
	return directoryCmd(&cobra.Command{Use: "delete ID", Short: "Delete a center", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, args []string, dir *center.Service) error {
			if err := dir.Delete(cmd.Context(), args[0]); err != nil {
				return centerError(err, args[0])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted center %s; %s\n", args[0], centersCacheNote)
			return nil
		})
}

func centersImportCmd() *cobra.Command {
	return directoryCmd(&cobra.Command{
		Use:   "import FILE.csv",
		Short: "Add and update centers from a CSV file, all rows or none",
		Long: `Add and update centers from a CSV file with the header

  ` + strings.Join(center.Columns, ",") + `

in one transaction: if any row is wrong, nothing changes and every problem is listed with its
row (the header is row 1). A row whose id exists replaces that center; centers not in the
file are kept. Services are separated by "|", such as register|confirm. "-" reads standard
input.`,
		Args: cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, args []string, dir *center.Service) error {
		var r io.Reader = cmd.InOrStdin()
		if args[0] != "-" {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		res, err := dir.ImportCSV(cmd.Context(), r)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "imported %s: %d created, %d updated; %s\n", args[0], res.Created, res.Updated, centersCacheNote)
		return nil
	})
}
