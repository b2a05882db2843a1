package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/oidc"
)

const basePolicy = "default-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"

func TestExtendCSP(t *testing.T) {
	for _, tc := range []struct {
		name, policy, directive string
		sources                 []string
		want                    string
	}{
		{"form-action", basePolicy, "form-action", []string{"https://rp.example"},
			"default-src 'self'; script-src 'self'; form-action 'self' https://rp.example; frame-ancestors 'none'"},
		{"frame-src added", basePolicy, "frame-src", []string{"https://a.example", "http://127.0.0.1:9090"},
			basePolicy + "; frame-src 'self' https://a.example http://127.0.0.1:9090"},
		{"nothing to add", basePolicy, "frame-src", nil, basePolicy},
		{"no policy", "", "frame-src", []string{"https://a.example"}, ""},
		{"no duplicates", "form-action 'self' https://rp.example", "form-action", []string{"https://rp.example"},
			"form-action 'self' https://rp.example"},
	} {
		rec := httptest.NewRecorder()
		if tc.policy != "" {
			rec.Header().Set("Content-Security-Policy", tc.policy)
		}
		extendCSP(rec, tc.directive, tc.sources)
		if got := rec.Header().Get("Content-Security-Policy"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestOrigins(t *testing.T) {
	got := origins("https://RP.example/cb?x=1", "https://rp.example/other", "http://127.0.0.1:9090/callback",
		"javascript:alert(1)", "https://a.example;script-src/x", "com.example.app:/cb", "", "https://[::1]:8443/x")
	want := []string{"https://rp.example", "http://127.0.0.1:9090", "https://[::1]:8443"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}
}

func testView(t *testing.T, lang string) *view {
	t.Helper()
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	return &view{translator: translator{loc: i18n.NewLocalizer(b, lang)}, Lang: lang}
}

func TestClaimWords(t *testing.T) {
	v := testView(t, "en")
	for claims, want := range map[string][]string{
		"acr aal email email_verified family_name given_name middle_name sub trusted": {"full name", "email"},
		"sub acr amr aal trusted confirmation_method":                                 {},
		"phone_number phone_number_verified birthdate snils":                          {"date of birth", "SNILS", "mobile phone"},
		"sub shoe_size": {"shoe_size"},
	} {
		if diff := cmp.Diff(want, claimWords(v, claims)); diff != "" {
			t.Errorf("claimWords(%q) (-want +got):\n%s", claims, diff)
		}
	}
	if diff := cmp.Diff([]string{"Full name", "Email", "future_scope"}, scopeLines(v, []string{"email", "future_scope", "fullname"})); diff != "" {
		t.Errorf("scopeLines (-want +got):\n%s", diff)
	}
}

func TestStepsTo(t *testing.T) {
	v := testView(t, "en")
	got := (&Handler{}).stepsTo(v, &account.Account{Level: account.Simplified}, account.Confirmed)
	if len(got) != 5 || got[1] != "add your SNILS" || got[4][:len("confirm your identity")] != "confirm your identity" {
		t.Errorf("steps from simplified to confirmed: %q", got)
	}
	if got := (&Handler{}).stepsTo(v, &account.Account{Level: account.Confirmed}, account.Standard); len(got) != 0 {
		t.Errorf("steps down: %q", got)
	}
}

func TestStepLang(t *testing.T) {
	step := func(locales ...string) *oidc.Step {
		return &oidc.Step{Request: &grant.AuthRequest{UILocales: locales}}
	}
	for _, tc := range []struct {
		cookie, accept string
		st             *oidc.Step
		want           string
	}{
		{"", "ru", step("de", "en-GB"), "en"},
		{"", "en", step("ru-RU"), "ru"},
		{"ru", "en", step("en"), "ru"},
		{"", "en", step("de"), "en"},
		{"", "", step(), "ru"},
		{"", "en", nil, "en"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/oidc/login?id=x", nil)
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: "lang", Value: tc.cookie})
		}
		r.Header.Set("Accept-Language", tc.accept)
		if got := stepLang(r, tc.st); got != tc.want {
			t.Errorf("stepLang(cookie %q, accept %q) got %q, want %q", tc.cookie, tc.accept, got, tc.want)
		}
	}
}

// TestWithoutOIDC: without a provider the single sign-on routes are not mounted.
func TestWithoutOIDC(t *testing.T) {
	mux := http.NewServeMux()
	(&Handler{}).Mount(mux)
	for _, path := range []string{"/oidc/login?id=x", "/oidc/logged-out"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s without a provider: %d, want 404", path, rec.Code)
		}
	}
}
