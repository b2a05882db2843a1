package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/session"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/cabinet": "/cabinet", "/register?x=1#f": "/register?x=1", "": "/", "//evil.example": "/",
		"https://evil.example/": "/", "/\\evil.example": "/", "evil": "/", "/a\r\nb": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) got %q, want %q", in, got, want)
		}
	}
}

func TestSecureSessionCookie(t *testing.T) {
	h := &Handler{Secure: true}
	rec := httptest.NewRecorder()
	h.startSession(rec, &flow.Signed{Token: "tok", Session: &session.Session{ExpiresAt: time.Now().Add(time.Hour)}})
	got := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-civis_session=tok", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(got, want) {
			t.Errorf("Set-Cookie %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "Domain=") {
		t.Errorf("a __Host- cookie must have no Domain: %q", got)
	}
}

// TestCrossSiteDenied checks the handler's own guard, which answers with a translated page.
func TestCrossSiteDenied(t *testing.T) {
	mux := http.NewServeMux()
	(&Handler{}).Mount(mux)
	for lang, want := range map[string]string{"ru": "Форма отправлена с другого сайта", "en": "The form was sent from another site"} {
		req := httptest.NewRequest(http.MethodPost, "/lang", strings.NewReader("lang=en&next=/"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Accept-Language", lang)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: got %d, want 403 with %q", lang, rec.Code, want)
		}
		if rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: a refused post set a cookie", lang)
		}
	}
}
