package web

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/rp"
)

// catalogKeys returns the message ids of one language's embedded catalogs, sorted, and
// fails on an id defined twice.
func catalogKeys(t *testing.T, lang string) []string {
	t.Helper()
	files, err := fs.Glob(localeFS, "locales/*."+lang+".toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s catalogs: %v", lang, err)
	}
	var keys []string
	for _, f := range files {
		b, err := localeFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := toml.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k := range raw {
			if slices.Contains(keys, k) {
				t.Errorf("%s: message %q is defined twice", f, k)
			}
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func TestCatalogsMatch(t *testing.T) {
	ru, en := catalogKeys(t, "ru"), catalogKeys(t, "en")
	if diff := cmp.Diff(ru, en); diff != "" {
		t.Errorf("the catalogs have different messages (-ru +en):\n%s", diff)
	}
}

// TestEveryCodeTranslated checks the messages for every code the domain produces.
func TestEveryCodeTranslated(t *testing.T) {
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, code := range []string{
		"required", "too_long", "invalid_characters", "contact_required", ident.CodePhoneInvalid,
		ident.CodeEmailInvalid, "code_format", "invalid_choice", "not_in_registration",
		credential.CodePasswordTooShort, credential.CodePasswordTooLong, credential.CodePasswordNeedsLower,
		credential.CodePasswordNeedsUpper, credential.CodePasswordNeedsDigit, credential.CodePasswordNeedsSpecial,
		credential.CodePasswordTooCommon, "invalid",
	} {
		ids = append(ids, "field_"+code)
	}
	for _, code := range []string{
		"validation_failed", "password_too_weak", "malformed_json", "unsupported_media_type", "body_too_large",
		"registration_not_found", "registration_expired", "registration_completed", "contacts_not_confirmed",
		"code_invalid", "code_expired", "code_attempts_exceeded", "contact_already_registered",
		"invalid_credentials", "rate_limited", "unauthorized", "not_found", "method_not_allowed",
		"internal_error", "unavailable", "forbidden", "bad_request",
	} {
		ids = append(ids, "problem_"+code)
	}
	for _, l := range []account.Level{account.Simplified, account.Standard, account.Confirmed} {
		ids = append(ids, "level_"+string(l))
	}
	for _, n := range []account.Requirement{account.NeedPersonalData, account.NeedSNILS, account.NeedIDDocument,
		account.NeedRegistryCheck, account.NeedConfirmation} {
		ids = append(ids, "need_"+string(n))
	}
	for _, scope := range rp.KnownScopes {
		if scope != "openid" && scope != "offline_access" {
			ids = append(ids, "scope_"+scope, "data_"+scope)
		}
	}
	for _, m := range rp.ConfirmationMethods {
		ids = append(ids, "method_"+m)
	}
	for _, a := range []string{audit.LoginSucceeded, audit.LoginFailed, audit.Logout, audit.AccountCreated} {
		ids = append(ids, "event_"+strings.ReplaceAll(a, ".", "_"))
	}
	for _, lang := range languages {
		tr := translator{loc: i18n.NewLocalizer(b, lang)}
		for _, id := range ids {
			if !tr.Has(id) {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
	}
}

func TestPlurals(t *testing.T) {
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	ru := translator{loc: i18n.NewLocalizer(b, "ru")}
	en := translator{loc: i18n.NewLocalizer(b, "en")}
	for _, tc := range []struct {
		tr   translator
		n    int
		want string
	}{
		{ru, 1, "Слишком много попыток. Повторите через 1 секунду."},
		{ru, 3, "Слишком много попыток. Повторите через 3 секунды."},
		{ru, 45, "Слишком много попыток. Повторите через 45 секунд."},
		{ru, 21, "Слишком много попыток. Повторите через 21 секунду."},
		{en, 1, "Too many attempts. Try again in 1 second."},
		{en, 45, "Too many attempts. Try again in 45 seconds."},
	} {
		if got := tc.tr.T("problem_rate_limited_seconds", "Count", tc.n); got != tc.want {
			t.Errorf("T(seconds, %d) got %q, want %q", tc.n, got, tc.want)
		}
	}
}
