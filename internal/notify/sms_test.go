package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testSMS() Message {
	return Message{
		ID:      "01890a5d-ac96-774b-bcce-b302099a8057",
		Channel: SMS,
		To:      "+79161234567",
		Body:    "Civis: код 482913. Никому его не сообщайте.",
	}
}

// gatewayRequest is what a test gateway saw.
type gatewayRequest struct {
	method, path, contentType, auth, key string
	body                                 map[string]any
}

// startGateway serves reply and sends every request it sees to the channel.
func startGateway(t *testing.T, reply http.HandlerFunc) (*httptest.Server, <-chan gatewayRequest) {
	t.Helper()
	seen := make(chan gatewayRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := gatewayRequest{
			method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"),
			auth: r.Header.Get("Authorization"), key: r.Header.Get("Idempotency-Key"),
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

// status replies with code and body.
func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func TestSMSGatewayRequest(t *testing.T) {
	tests := []struct {
		sender string
		want   map[string]any
	}{
		{"", map[string]any{"id": testSMS().ID, "to": "+79161234567", "text": testSMS().Body}},
		{"Civis", map[string]any{"id": testSMS().ID, "to": "+79161234567", "text": testSMS().Body, "sender": "Civis"}},
	}
	for _, tt := range tests {
		t.Run("sender="+tt.sender, func(t *testing.T) {
			srv, seen := startGateway(t, status(http.StatusAccepted, `{"status":"queued"}`))
			g := NewSMSGateway(SMSGatewayConfig{URL: srv.URL + "/v1/messages", Token: "tok-1", Sender: tt.sender}, nil)
			if err := g.Send(context.Background(), testSMS()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := gatewayRequest{
				method: http.MethodPost, path: "/v1/messages", contentType: "application/json",
				auth: "Bearer tok-1", key: testSMS().ID, body: tt.want,
			}
			if diff := cmp.Diff(want, <-seen, cmp.AllowUnexported(gatewayRequest{})); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSMSGatewayStatuses(t *testing.T) {
	echo := `{"error":"cannot deliver to 79161234567: \"Civis: \u043a\u043e\u0434 482913\""}`
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tests := []struct {
		name          string
		reply         http.HandlerFunc
		wantErr       bool
		wantPermanent bool
	}{
		{"200", status(http.StatusOK, `{}`), false, false},
		{"400", status(http.StatusBadRequest, echo), true, true},
		{"401", status(http.StatusUnauthorized, `{"error":"bad token"}`), true, true},
		{"422", status(http.StatusUnprocessableEntity, echo), true, true},
		{"429", status(http.StatusTooManyRequests, `{"error":"slow down"}`), true, false},
		{"500", status(http.StatusInternalServerError, echo), true, false},
		{"503 raw echo", status(http.StatusServiceUnavailable, `{"to":"+79161234567","text":"`+testSMS().Body+`"}`), true, false},
		{"302", status(http.StatusFound, ``), true, false},
		{"timeout", hang, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := startGateway(t, tt.reply)
			g := NewSMSGateway(SMSGatewayConfig{URL: srv.URL, Token: "tok", Timeout: 200 * time.Millisecond}, nil)
			err := g.Send(context.Background(), testSMS())
			if (err != nil) != tt.wantErr || errors.Is(err, ErrPermanent) != tt.wantPermanent {
				t.Fatalf("Send got %v, want error %v, permanent %v", err, tt.wantErr, tt.wantPermanent)
			}
			checkNoPersonalData(t, err)
		})
	}
}

// checkNoPersonalData fails if err reveals the phone number, the text or the
// code in it. (Words of a text that the gateway echoes in another encoding
// may remain; the numbers in it may not.)
func checkNoPersonalData(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range []string{"9161234567", "482913", "Никому"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals %q", err, secret)
		}
	}
}

func TestSMSGatewayErrorQuotesStatusAndBody(t *testing.T) {
	srv, _ := startGateway(t, status(http.StatusBadRequest, `{"error":"`+strings.Repeat("x", 1000)+`"}`))
	err := NewSMSGateway(SMSGatewayConfig{URL: srv.URL, Token: "tok"}, nil).Send(context.Background(), testSMS())
	if err == nil || !strings.Contains(err.Error(), "status 400") || !strings.Contains(err.Error(), `{\"error\":\"xxx`) {
		t.Fatalf("Send got %v, want status 400 and the start of the body", err)
	}
	if n := strings.Count(err.Error(), "x"); n > maxErrBody {
		t.Errorf("error quotes %d bytes of body, want at most %d", n, maxErrBody)
	}
}

func TestSMSGatewayContextCanceled(t *testing.T) {
	srv, _ := startGateway(t, status(http.StatusOK, `{}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewSMSGateway(SMSGatewayConfig{URL: srv.URL, Token: "tok"}, nil).Send(ctx, testSMS())
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrPermanent) {
		t.Errorf("Send with a canceled context got %v, want retryable context.Canceled", err)
	}
}

func TestSMSGatewayRejectsEmail(t *testing.T) {
	m := testSMS()
	m.Channel = Email
	err := NewSMSGateway(SMSGatewayConfig{URL: "http://127.0.0.1:1", Token: "tok"}, nil).Send(context.Background(), m)
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("Send(email) got %v, want a permanent error", err)
	}
}

func TestSMSGatewayConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		c    SMSGatewayConfig
		want string // substring of the error; "" means valid
	}{
		{"valid", SMSGatewayConfig{URL: "https://sms.example.org/v1/messages", Token: "t"}, ""},
		{"valid full", SMSGatewayConfig{URL: "http://127.0.0.1:9000/", Token: "t", Timeout: time.Second, Sender: "Civis-Gov"}, ""},
		{"no url", SMSGatewayConfig{Token: "t"}, "sms gateway url is required"},
		{"relative url", SMSGatewayConfig{URL: "/v1/messages", Token: "t"}, "sms gateway url must be an absolute http or https url"},
		{"ftp url", SMSGatewayConfig{URL: "ftp://sms.example.org", Token: "t"}, "sms gateway url must be an absolute http or https url"},
		{"no token", SMSGatewayConfig{URL: "https://sms.example.org"}, "sms gateway token is required"},
		{"negative timeout", SMSGatewayConfig{URL: "https://sms.example.org", Token: "t", Timeout: -1}, "sms gateway timeout must not be negative"},
		{"long sender", SMSGatewayConfig{URL: "https://sms.example.org", Token: "t", Sender: "CivisGovernment"}, "sms gateway sender must be at most 11"},
		{"cyrillic sender", SMSGatewayConfig{URL: "https://sms.example.org", Token: "t", Sender: "Госуслуги"}, "sms gateway sender must be at most 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidateErr(t, tt.c.Validate(), tt.want)
		})
	}
}
