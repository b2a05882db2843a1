package web

import (
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/mfa"
)

// TestSignInCodesTranslated checks the messages for the codes of sign-in, second factors and
// the proof of work.
func TestSignInCodesTranslated(t *testing.T) {
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"field_wrong_password"}
	for _, code := range []string{"pow_required", "reauth_required", "login_not_found", "login_expired",
		"login_attempts_exceeded", "totp_already_enabled", "totp_not_started", "phone_required", "passkey_invalid"} {
		ids = append(ids, "problem_"+code)
	}
	for _, m := range []string{mfa.MethodTOTP, mfa.MethodSMS, mfa.MethodPasskey, mfa.MethodRecoveryCode} {
		ids = append(ids, "factor_"+m)
	}
	for _, id := range securityNotices {
		ids = append(ids, id)
	}
	for _, lang := range languages {
		tr := translator{loc: i18n.NewLocalizer(b, lang)}
		for _, id := range ids {
			if !tr.Has(id) {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
		if lang != "ru" {
			continue
		}
		for n, want := range map[int]string{1: "1 день", 22: "22 дня", 30: "30 дней"} {
			if got := tr.T("hint_remember", "Count", n); !strings.Contains(got, want) {
				t.Errorf("hint_remember(%d) = %q, want %q in it", n, got, want)
			}
		}
	}
}
