// Package config defines Civis's configuration: command-line flags, each with a matching
// CIVIS_* environment variable, defaults, and validation with clear messages. Domain packages
// never import it; app hands each the options it needs.
package config
