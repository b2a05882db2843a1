package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/adminapi"
	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// cacheNote tells the operator how long other nodes may still use a client's old settings
// (rp.Service's default cache lifetime).
const cacheNote = "running nodes pick the change up within 30 seconds"

func clientsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clients",
		Short: "Register and manage relying parties (OpenID Connect clients)",
		Long: `Register and manage relying parties (OpenID Connect clients) directly in the database.

The commands need the server's --db and --keys-file (or CIVIS_DB and CIVIS_KEYS_FILE): client
secrets are keyed from the keys file, so a secret issued here verifies on every node. A running
server exposes the same operations over HTTP under /api/v1/admin/ when --admin-token is set.`,
	}
	cmd.AddCommand(clientsCreateCmd(), clientsListCmd(), clientsShowCmd(), clientsDeleteCmd(), clientsRotateCmd())
	return cmd
}

// registryCmd completes a clients subcommand: the storage flags, and fn run with the registry.
// Flags added to the result afterwards stay visible in its help.
func registryCmd(cmd *cobra.Command, fn func(cmd *cobra.Command, args []string, reg *rp.Service) error) *cobra.Command {
	return storageCmd(cmd, app.ClientRegistry, func(cmd *cobra.Command, args []string, _ *config.Config, reg *rp.Service) error {
		return fn(cmd, args, reg)
	})
}

type createFlags struct {
	in                     rp.Input
	scopes, methods, roles []string
	jwksFile               string
	asJSON                 bool
}

func clientsCreateCmd() *cobra.Command {
	f := &createFlags{}
	cmd := registryCmd(&cobra.Command{
		Use:   "create",
		Short: "Register a client; prints its id and, for secret methods, its secret once",
		Args:  cobra.NoArgs,
		Example: `  civis clients create --name "Tax service" --redirect-uri https://tax.example.ru/callback \
    --scopes openid,fullname,snils,inn --min-level confirmed --allowed-methods in_person,e_signature`,
	}, func(cmd *cobra.Command, _ []string, reg *rp.Service) error {
		return createClient(cmd, reg, f)
	})
	fs := cmd.Flags()
	fs.StringVar(&f.in.ID, "id", "", "client id (default: generated, c-<uuid>)")
	fs.StringVar(&f.in.Name, "name", "", "name shown to citizens on the consent page (required)")
	fs.StringArrayVar(&f.in.RedirectURIs, "redirect-uri", nil, "redirect URI, https or loopback http (repeatable; at least one)")
	fs.StringArrayVar(&f.in.PostLogoutRedirectURIs, "post-logout-redirect-uri", nil, "URI to return to after logout (repeatable)")
	fs.StringVar(&f.in.BackchannelLogoutURI, "backchannel-logout-uri", "", "back-channel logout endpoint of the client")
	fs.StringVar(&f.in.FrontchannelLogoutURI, "frontchannel-logout-uri", "", "front-channel logout page of the client")
	fs.StringArrayVar(&f.scopes, "scopes", nil, "scopes the client may ask for, comma or space separated (openid is implied)")
	fs.StringVar(&f.in.MinLevel, "min-level", "", "lowest account level accepted: simplified (default), standard or confirmed")
	fs.StringArrayVar(&f.methods, "allowed-methods", nil, "confirmation methods accepted for confirmed accounts: in_person, mail_code, e_signature, bank (default: all)")
	fs.StringVar(&f.in.AuthMethod, "auth-method", string(rp.ClientSecretBasic), "token endpoint authentication: private_key_jwt, client_secret_basic, client_secret_post or none (public client with PKCE)")
	fs.StringVar(&f.jwksFile, "jwks-file", "", "file holding the client's JSON Web Key Set (private_key_jwt)")
	fs.StringVar(&f.in.JWKSURL, "jwks-url", "", "URL of the client's JSON Web Key Set (private_key_jwt)")
	fs.StringVar(&f.in.SubjectType, "subject-type", "", "public (default) or pairwise")
	fs.StringArrayVar(&f.roles, "role", nil, "partner role: center (a service center's system, with --center) or bank (repeatable)")
	fs.StringVar(&f.in.CenterID, "center", "", "the service center a client with the center role acts for")
	fs.BoolVar(&f.asJSON, "json", false, "print the client as JSON")
	return cmd
}

func createClient(cmd *cobra.Command, reg *rp.Service, f *createFlags) error {
	in := f.in
	in.Scopes, in.AllowedMethods, in.Roles = splitList(f.scopes), splitList(f.methods), splitList(f.roles)
	if f.jwksFile != "" {
		b, err := os.ReadFile(f.jwksFile)
		if err != nil {
			return fmt.Errorf("--jwks-file: %w", err)
		}
		in.JWKS = string(b)
	}
	c, secret, err := reg.Create(cmd.Context(), in)
	if err != nil {
		return clientError(err, in.ID)
	}
	out := cmd.OutOrStdout()
	if secret != "" {
		defer fmt.Fprintf(cmd.ErrOrStderr(), "Store the client secret now: it is shown only once (Civis keeps only a keyed hash).\n"+
			"If it is lost, issue a new one with `civis clients rotate-secret %s`.\n", c.ID)
	}
	if f.asJSON {
		return writeJSON(out, adminapi.CreatedClient{Client: adminapi.View(c), ClientSecret: secret})
	}
	fmt.Fprintf(out, "client_id:     %s\n", c.ID)
	if secret != "" {
		fmt.Fprintf(out, "client_secret: %s\n", secret)
	}
	return nil
}

// clientFlags names the create flag for each field of rp.ValidationError.
var clientFlags = map[string]string{
	"redirect_uris": "redirect-uri", "post_logout_redirect_uris": "post-logout-redirect-uri", "jwks": "jwks-file",
}

// clientError explains a registry error: every field problem on its own line, or a taken id.
func clientError(err error, id string) error {
	var ve *rp.ValidationError
	switch {
	case errors.As(err, &ve):
		var b strings.Builder
		b.WriteString("invalid client:")
		for _, fe := range ve.Fields {
			flag, ok := clientFlags[fe.Field]
			if !ok {
				flag = strings.ReplaceAll(fe.Field, "_", "-")
			}
			fmt.Fprintf(&b, "\n  --%s: %s (%s)", flag, fe.Message, fe.Code)
		}
		return errors.New(b.String())
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("a client with id %q already exists", id)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no client has id %q", id)
	}
	return err
}

// splitList splits each value at commas and spaces.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })...)
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func clientsListCmd() *cobra.Command {
	var asJSON bool
	cmd := registryCmd(&cobra.Command{Use: "list", Short: "List the registered clients", Args: cobra.NoArgs},
		func(cmd *cobra.Command, _ []string, reg *rp.Service) error {
			list, err := reg.Store.ListClients(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				out := adminapi.ClientList{Clients: []adminapi.Client{}}
				for _, c := range list {
					out.Clients = append(out.Clients, adminapi.View(c))
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tAUTH\tMIN LEVEL\tSCOPES\tCREATED")
			for _, c := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.AuthMethod, c.MinLevel,
					strings.Join(c.Scopes, ","), c.CreatedAt.Local().Format("2006-01-02 15:04"))
			}
			if len(list) == 0 {
				fmt.Fprintln(w, "(none)\t\t\t\t\t")
			}
			return w.Flush()
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the clients as JSON")
	return cmd
}

func clientsShowCmd() *cobra.Command {
	var asJSON bool
	cmd := registryCmd(&cobra.Command{Use: "show ID", Short: "Show a client's settings (never its secret)", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, args []string, reg *rp.Service) error {
			c, err := reg.Store.GetClient(cmd.Context(), args[0])
			if err != nil {
				return clientError(err, args[0])
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), adminapi.View(c))
			}
			return showClient(cmd.OutOrStdout(), c)
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the client as JSON")
	return cmd
}

func showClient(out io.Writer, c *rp.Client) error {
	or := func(s, dflt string) string {
		if s == "" {
			return dflt
		}
		return s
	}
	list := func(s []string, dflt string) string { return or(strings.Join(s, " "), dflt) }
	scopes := c.Scopes
	if !slices.Contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	keys := "-"
	switch {
	case c.JWKS != "":
		keys = "inline JWKS"
	case c.JWKSURL != "":
		keys = c.JWKSURL
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{
		{"id", c.ID}, {"name", c.Name}, {"auth method", string(c.AuthMethod)}, {"keys", keys},
		{"redirect uris", list(c.RedirectURIs, "-")}, {"post-logout uris", list(c.PostLogoutRedirectURIs, "-")},
		{"back-channel logout", or(c.BackchannelLogoutURI, "-")}, {"front-channel logout", or(c.FrontchannelLogoutURI, "-")},
		{"scopes", list(scopes, "openid")}, {"min level", or(string(c.MinLevel), "simplified")},
		{"allowed methods", list(c.AllowedMethods, "any")}, {"subject type", string(c.SubjectType) + " " + c.SectorID},
		{"roles", list(c.Roles, "-")}, {"center", or(c.CenterID, "-")}, {"dev", fmt.Sprint(c.Dev)},
		{"created", c.CreatedAt.Local().Format("2006-01-02 15:04:05 MST")}, {"updated", c.UpdatedAt.Local().Format("2006-01-02 15:04:05 MST")},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", row[0], strings.TrimSpace(row[1]))
	}
	return w.Flush()
}

func clientsDeleteCmd() *cobra.Command {
	return registryCmd(&cobra.Command{Use: "delete ID", Short: "Delete a client", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, args []string, reg *rp.Service) error {
			if err := reg.Delete(cmd.Context(), args[0]); err != nil {
				return clientError(err, args[0])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted client %s; %s\n", args[0], cacheNote)
			return nil
		})
}

func clientsRotateCmd() *cobra.Command {
	var asJSON bool
	cmd := registryCmd(&cobra.Command{Use: "rotate-secret ID", Short: "Issue a new client secret; the old one stops working", Args: cobra.ExactArgs(1)},
		func(cmd *cobra.Command, args []string, reg *rp.Service) error {
			c, err := reg.Store.GetClient(cmd.Context(), args[0])
			if err != nil {
				return clientError(err, args[0])
			}
			if !adminapi.UsesSecret(c) {
				return fmt.Errorf("client %s authenticates with %s; it has no secret", c.ID, c.AuthMethod)
			}
			secret, err := reg.RotateSecret(cmd.Context(), c.ID)
			if err != nil {
				return clientError(err, c.ID)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Store the new secret now: it is shown only once. The old secret stops working; %s.\n", cacheNote)
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), adminapi.Secret{ClientID: c.ID, ClientSecret: secret})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "client_id:     %s\nclient_secret: %s\n", c.ID, secret)
			return nil
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the new secret as JSON")
	return cmd
}
