// Command civis runs the Civis identity provider; see `civis --help`.
package main

import (
	"os"

	"github.com/civis-id/civis/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
