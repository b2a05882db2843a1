package audit

import (
	"context"
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Query selects one account's events for its event log. Zero From or To leaves that end
// open; an empty Category selects every category.
type Query struct {
	AccountID string
	Category  Category
	From, To  time.Time // From inclusive, To exclusive
	Limit     int
}

// Searcher finds the events of one account by time, newest first.
type Searcher interface {
	// SearchEvents returns up to limit events of the account created in [from, to) (a zero
	// bound is open), newest first.
	SearchEvents(ctx context.Context, accountID string, from, to time.Time, limit int) ([]*Event, error)
}

// Category groups actions the way the citizen's event log filters them.
type Category string

// Categories of the event log.
const (
	CatSignIn       Category = "sign_in"       // sign-ins (successful and failed), sign-outs
	CatPassword     Category = "password"      // password set, changed, recovered
	CatContact      Category = "contact"       // phone and email changes
	CatSecondFactor Category = "second_factor" // second factors and passkeys
	CatData         Category = "data"          // personal data and documents, level changes
	CatReleased     Category = "released"      // data released to sites, tokens, consents
	CatOperator     Category = "operator"      // anything a service-center operator did
	CatAccount      Category = "account"       // creation, deletion, restoration, settings
)

// Categories lists them in the order pages show them.
var Categories = []Category{CatSignIn, CatPassword, CatContact, CatSecondFactor, CatData, CatReleased,
	CatOperator, CatAccount}

// categoryPrefixes maps action prefixes to categories; the longest match wins.
var categoryPrefixes = map[string]Category{
	"login.": CatSignIn, "logout": CatSignIn, "session.": CatSignIn,
	"password.": CatPassword, "recovery.": CatPassword,
	"contact.": CatContact,
	"mfa.":     CatSecondFactor, "passkey.": CatSecondFactor, "totp.": CatSecondFactor,
	"profile.": CatData, "account.level_raised": CatData, "document.": CatData,
	"data.": CatReleased, "token.": CatReleased, "consent.": CatReleased,
	"account.": CatAccount, "settings.": CatAccount,
	"letter.": CatData, "bank.": CatData,
	"operator.": CatOperator, "staff.": CatOperator,
}

// CategoryOf returns the category of e: operator for anything an operator did, else by its
// action ("" for actions the log does not know).
func CategoryOf(e *Event) Category {
	if strings.HasPrefix(e.Actor, "operator:") {
		return CatOperator
	}
	best, cat := 0, Category("")
	for _, p := range slices.Sorted(maps.Keys(categoryPrefixes)) {
		if strings.HasPrefix(e.Action, p) && len(p) > best {
			best, cat = len(p), categoryPrefixes[p]
		}
	}
	return cat
}

// ValidCategory reports whether c names a category.
func ValidCategory(c Category) bool { return slices.Contains(Categories, c) }

// maxScan bounds how many events one search reads before filtering by category.
const maxScan = 10000

// Search runs q over s: it reads the account's events of the time range and keeps those of
// the category, up to q.Limit.
func Search(ctx context.Context, s Searcher, q Query) ([]*Event, error) {
	scan := q.Limit
	if q.Category != "" {
		scan = maxScan
	}
	events, err := s.SearchEvents(ctx, q.AccountID, q.From, q.To, scan)
	if err != nil {
		return nil, err
	}
	out := events[:0]
	for _, e := range events {
		if q.Category == "" || CategoryOf(e) == q.Category {
			out = append(out, e)
		}
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// CSVHeader is the first line of an event export.
var CSVHeader = []string{"time", "category", "action", "actor", "ip", "details"}

// WriteCSV writes events as CSV (RFC 4180) with CSVHeader: times in RFC 3339 UTC, details as
// key=value pairs separated by "; ". Events carry names of data, never the data, so neither
// does the export. Cells that a spreadsheet would read as a formula are prefixed with "'".
func WriteCSV(w io.Writer, events []*Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, e := range events {
		row := []string{e.CreatedAt.UTC().Format(time.RFC3339), string(CategoryOf(e)), e.Action, e.Actor, e.IP,
			detailText(e.Details)}
		for i := range row {
			row[i] = safeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func detailText(d map[string]string) string {
	parts := make([]string, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, k+"="+d[k])
	}
	return strings.Join(parts, "; ")
}

// safeCell defuses CSV formula injection (a value starting with = + - @ or a tab).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
