package registry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// seenRequest is what a test gateway received.
type seenRequest struct {
	method, path, contentType, auth, requestID string
	body                                       map[string]any
}

// startGateway serves reply and sends each request it sees to the channel.
func startGateway(t *testing.T, reply http.HandlerFunc) (*httptest.Server, <-chan seenRequest) {
	t.Helper()
	seen := make(chan seenRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := seenRequest{
			method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"),
			auth: r.Header.Get("Authorization"), requestID: r.Header.Get("X-Request-ID"),
		}
		if err := json.NewDecoder(r.Body).Decode(&got.body); err != nil {
			t.Errorf("decode request body: %v", err)
		}
		select {
		case seen <- got:
		default:
		}
		reply(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

// reply answers with code and body.
func reply(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// newTestHTTP returns a connector to srv with token "tok-1".
func newTestHTTP(t *testing.T, srv *httptest.Server, timeout time.Duration) *HTTP {
	t.Helper()
	h, err := NewHTTP(HTTPConfig{BaseURL: srv.URL + "/gw/v1/", Token: "tok-1", Timeout: timeout}, nil)
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	return h
}

// takeRequest returns the request the gateway saw, checks the common
// headers and removes request_id from the body.
func takeRequest(t *testing.T, seen <-chan seenRequest) seenRequest {
	t.Helper()
	var got seenRequest
	select {
	case got = <-seen:
	default:
		t.Fatal("the gateway saw no request")
	}
	if got.method != http.MethodPost || got.contentType != "application/json" || got.auth != "Bearer tok-1" {
		t.Errorf("request %s %s, Content-Type %q, Authorization %q; want POST, application/json, Bearer tok-1",
			got.method, got.path, got.contentType, got.auth)
	}
	id, err := uuid.Parse(got.requestID)
	if err != nil || id.Version() != 7 || got.body["request_id"] != got.requestID {
		t.Errorf("X-Request-ID %q, body request_id %v; want the same UUIDv7", got.requestID, got.body["request_id"])
	}
	delete(got.body, "request_id")
	return got
}

var wireIvanov = map[string]any{
	"last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович", "birth_date": "1985-03-14", "gender": "M",
}

func TestHTTPRequests(t *testing.T) {
	tests := []struct {
		name, path string
		call       func(*HTTP) (Result, error)
		want       map[string]any
	}{
		{"snils", "/gw/v1/snils/check", func(h *HTTP) (Result, error) {
			return h.CheckSNILS(context.Background(), ivanov, "112-233-445 95")
		}, map[string]any{"person": wireIvanov, "snils": "11223344595"}},
		{"rf passport", "/gw/v1/documents/check", func(h *HTTP) (Result, error) {
			d := ivanovPassport
			d.Series, d.DivisionCode, d.Issuer = "45 09", "770001", "ОВД  Арбат"
			return h.CheckDocument(context.Background(), ivanov, d)
		}, map[string]any{"person": wireIvanov, "document": map[string]any{
			"type": "RF_PASSPORT", "series": "4509", "number": "123456", "issue_date": "2005-04-02", "division_code": "770-001", "issuer": "ОВД Арбат",
		}}},
		{"foreign passport", "/gw/v1/documents/check", func(h *HTTP) (Result, error) {
			d := Document{Type: TypeForeignPassport, Number: "123456789", Country: "gbr", ExpiryDate: date(2031, 2, 3)}
			return h.CheckDocument(context.Background(), smith, d)
		}, map[string]any{
			"person":   map[string]any{"last_name": "Smith", "first_name": "John", "birth_date": "1975-05-05", "gender": "M"},
			"document": map[string]any{"type": "FRGN_PASS", "number": "123456789", "country": "GBR", "expiry_date": "2031-02-03"},
		}},
		{"inn", "/gw/v1/inn/check", func(h *HTTP) (Result, error) {
			return h.CheckINN(context.Background(), ivanov, "770123456703")
		}, map[string]any{"person": wireIvanov, "inn": "770123456703"}},
		{"inn wanted", "/gw/v1/inn/check", func(h *HTTP) (Result, error) {
			return h.CheckINN(context.Background(), ivanov, "")
		}, map[string]any{"person": wireIvanov, "inn": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := startGateway(t, reply(http.StatusOK, `{"outcome":"verified","inn":"770123456703"}`))
			if _, err := tt.call(newTestHTTP(t, srv, 0)); err != nil {
				t.Fatalf("check: %v", err)
			}
			got := takeRequest(t, seen)
			if got.path != tt.path {
				t.Errorf("path %q, want %q", got.path, tt.path)
			}
			if diff := cmp.Diff(tt.want, got.body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPOutcomes(t *testing.T) {
	tests := []struct {
		name, body string
		inn        string
		want       Result
		err        string
	}{
		{"verified", `{"outcome":"verified"}`, "770123456703", Result{Outcome: Verified, INN: "770123456703"}, ""},
		{"inn filled in", `{"outcome":"verified","inn":"500100732259"}`, "", Result{Outcome: Verified, INN: "500100732259"}, ""},
		{"verified without inn", `{"outcome":"verified"}`, "", Result{}, "unavailable"},
		{"verified with a bad inn", `{"outcome":"verified","inn":"500100732250"}`, "", Result{}, "unavailable"},
		{"not verified", `{"outcome":"not_verified","reason":"name_mismatch"}`, "770123456703", notVerified(ReasonNameMismatch), ""},
		{"not verified, other reason", `{"outcome":"not_verified","reason":"person_deceased","extra":1}`, "", notVerified("person_deceased"), ""},
		{"not verified without reason", `{"outcome":"not_verified"}`, "", Result{}, "unavailable"},
		{"reason with data", `{"outcome":"not_verified","reason":"Иванов not found"}`, "", Result{}, "unavailable"},
		{"unknown outcome", `{"outcome":"maybe"}`, "", Result{}, "unavailable"},
		{"not json", `<html>gateway</html>`, "", Result{}, "unavailable"},
		{"too large", `{"outcome":"verified","pad":"` + strings.Repeat("x", maxResponse) + `"}`, "", Result{}, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := startGateway(t, reply(http.StatusOK, tt.body))
			got, err := newTestHTTP(t, srv, 0).CheckINN(context.Background(), ivanov, tt.inn)
			if errKind(err) != tt.err || got != tt.want {
				t.Errorf("CheckINN = %+v, %v; want %+v, %s", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestHTTPStatuses(t *testing.T) {
	tests := []struct {
		code int
		err  string
	}{
		{http.StatusServiceUnavailable, "unavailable"},
		{http.StatusInternalServerError, "unavailable"},
		{http.StatusBadGateway, "unavailable"},
		{http.StatusTooManyRequests, "unavailable"},
		{http.StatusRequestTimeout, "unavailable"},
		{http.StatusConflict, "unavailable"},
		{http.StatusAccepted, "unavailable"},
		{http.StatusFound, "unavailable"},
		{http.StatusBadRequest, "rejected"},
		{http.StatusUnauthorized, "rejected"},
		{http.StatusForbidden, "rejected"},
		{http.StatusNotFound, "rejected"},
		{http.StatusUnprocessableEntity, "rejected"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.code), func(t *testing.T) {
			srv, _ := startGateway(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", "/elsewhere")
				reply(tt.code, `{"code":"bad_request"}`)(w, nil)
			})
			_, err := newTestHTTP(t, srv, 0).CheckSNILS(context.Background(), ivanov, "112-233-445 95")
			if errKind(err) != tt.err {
				t.Errorf("status %d: error %v, want %s", tt.code, err, tt.err)
			}
		})
	}
}

func TestHTTPErrorCodeInText(t *testing.T) {
	srv, _ := startGateway(t, reply(http.StatusBadRequest, `{"code":"snils_unknown_format","detail":"112-233-445 95"}`))
	_, err := newTestHTTP(t, srv, 0).CheckSNILS(context.Background(), ivanov, "112-233-445 95")
	if want := "pension_fund: status 400 (snils_unknown_format): registry rejected the request"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestHTTPTimeout(t *testing.T) {
	srv, _ := startGateway(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	start := time.Now()
	_, err := newTestHTTP(t, srv, 50*time.Millisecond).CheckDocument(context.Background(), ivanov, ivanovPassport)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v, want soon after the 50ms timeout", d)
	}
}

func TestHTTPNetworkError(t *testing.T) {
	srv, _ := startGateway(t, reply(http.StatusOK, `{}`))
	h := newTestHTTP(t, srv, 0)
	srv.Close()
	if _, err := h.CheckSNILS(context.Background(), ivanov, "112-233-445 95"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("error %v, want ErrUnavailable", err)
	}
}

func TestHTTPRejectsLocally(t *testing.T) {
	srv, seen := startGateway(t, reply(http.StatusOK, `{"outcome":"verified"}`))
	h := newTestHTTP(t, srv, 0)
	ctx := context.Background()
	errs := []error{}
	_, err := h.CheckSNILS(ctx, ivanov, "112-233-445 96")
	errs = append(errs, err)
	_, err = h.CheckDocument(ctx, ivanov, Document{Type: TypeRFPassport, Series: "45"})
	errs = append(errs, err)
	_, err = h.CheckINN(ctx, ivanov, "7707083893")
	errs = append(errs, err)
	_, err = h.CheckINN(ctx, Person{FirstName: "Иван"}, "")
	errs = append(errs, err)
	for i, err := range errs {
		if !errors.Is(err, ErrRejected) {
			t.Errorf("call %d: error %v, want ErrRejected", i, err)
		}
	}
	select {
	case r := <-seen:
		t.Errorf("the gateway saw %s, want no request", r.path)
	default:
	}
}

// TestHTTPErrorsHoldNoPersonalData checks every error path against a gateway
// that echoes the request into its answer.
func TestHTTPErrorsHoldNoPersonalData(t *testing.T) {
	secrets := []string{"Иванов", "Иван", "1985-03-14", "11223344595", "112-233-445", "123456", "4509", "770123456703"}
	for _, code := range []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"outcome":"` + string(b) + `","code":` + string(b) + `,"error":"` + strings.ReplaceAll(string(b), `"`, `'`) + `"}`))
		}))
		h := newTestHTTP(t, srv, 0)
		ctx := context.Background()
		var errs []error
		_, err := h.CheckSNILS(ctx, ivanov, "112-233-445 95")
		errs = append(errs, err)
		_, err = h.CheckDocument(ctx, ivanov, ivanovPassport)
		errs = append(errs, err)
		_, err = h.CheckINN(ctx, ivanov, "770123456703")
		errs = append(errs, err)
		srv.Close()
		for _, err := range errs {
			if err == nil {
				t.Fatalf("status %d: no error", code)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("status %d: error %q contains %q", code, err, s)
				}
			}
		}
	}
}

func TestHTTPRegistries(t *testing.T) {
	srv, _ := startGateway(t, reply(http.StatusOK, `{}`))
	h := newTestHTTP(t, srv, 0)
	if r := h.Registries(); r.SNILS != h || r.Document != h || r.INN != h {
		t.Errorf("Registries() = %+v, want the connector three times", r)
	}
}

func TestHTTPConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  HTTPConfig
		ok   bool
	}{
		{"token", HTTPConfig{BaseURL: "https://gw.example/registry", Token: "t"}, true},
		{"certificate", HTTPConfig{BaseURL: "https://gw.example", ClientCert: "c.pem", ClientKey: "k.pem"}, true},
		{"no url", HTTPConfig{Token: "t"}, false},
		{"relative url", HTTPConfig{BaseURL: "/registry", Token: "t"}, false},
		{"ftp url", HTTPConfig{BaseURL: "ftp://gw.example", Token: "t"}, false},
		{"url with query", HTTPConfig{BaseURL: "https://gw.example/?a=1", Token: "t"}, false},
		{"url with credentials", HTTPConfig{BaseURL: "https://u:p@gw.example", Token: "t"}, false},
		{"no authentication", HTTPConfig{BaseURL: "https://gw.example"}, false},
		{"certificate without key", HTTPConfig{BaseURL: "https://gw.example", Token: "t", ClientCert: "c.pem"}, false},
		{"negative timeout", HTTPConfig{BaseURL: "https://gw.example", Token: "t", Timeout: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%+v) = %v, want ok=%v", tt.cfg, err, tt.ok)
			}
		})
	}
	if _, err := NewHTTP(HTTPConfig{BaseURL: "https://gw.example", ClientCert: "testdata/none.pem", ClientKey: "testdata/none.key"}, nil); err == nil {
		t.Errorf("NewHTTP accepted missing certificate files")
	}
}
