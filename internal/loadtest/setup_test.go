package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeCivis is the part of a --dev server that Setup and Login use.
type fakeCivis struct {
	mu        sync.Mutex
	regs      map[string]string // registration id → phone
	codes     map[string]string // phone → code
	confirmed map[string]bool   // registration id
	passwords map[string]string // phone → password
	started   int
}

func newFakeCivis(t *testing.T) (*fakeCivis, *Client) {
	f := &fakeCivis{regs: map[string]string{}, codes: map[string]string{}, confirmed: map[string]bool{}, passwords: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/registrations", f.register)
	mux.HandleFunc("GET /dev/outbox", f.outbox)
	mux.HandleFunc("POST /api/v1/registrations/{id}/confirm", f.confirm)
	mux.HandleFunc("POST /api/v1/registrations/{id}/password", f.password)
	mux.HandleFunc("POST /api/v1/sessions", f.login)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, 4)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func problem(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"status":%d,"code":%q}`, status, code)
}

func (f *fakeCivis) register(w http.ResponseWriter, r *http.Request) {
	var in registrationRequest
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Phone == "" || r.Header.Get("Content-Type") != "application/json" {
		problem(w, 422, "validation_failed")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started++
	id := fmt.Sprintf("reg-%d", f.started)
	f.regs[id], f.codes[in.Phone] = in.Phone, fmt.Sprintf("%06d", 100000+f.started)
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":%q,"codes_sent":["phone"]}`, id)
}

func (f *fakeCivis) outbox(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	to := r.URL.Query().Get("to")
	if code, ok := f.codes[to]; ok {
		fmt.Fprintf(w, `[{"id":"m2","channel":"sms","to":%q,"body":"Civis: код подтверждения %s. Действует 5 мин."},`+
			`{"id":"m1","channel":"sms","to":%q,"body":"an older message 999999"}]`, to, code, to)
		return
	}
	w.Write([]byte("[]"))
}

func (f *fakeCivis) confirm(w http.ResponseWriter, r *http.Request) {
	var in struct{ Channel, Code string }
	json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("id")
	if in.Channel != "phone" || in.Code != f.codes[f.regs[id]] {
		problem(w, 422, "code_invalid")
		return
	}
	f.confirmed[id] = true
	fmt.Fprintf(w, `{"id":%q,"state":"contacts_confirmed"}`, id)
}

func (f *fakeCivis) password(w http.ResponseWriter, r *http.Request) {
	var in struct{ Password string }
	json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("id")
	if !f.confirmed[id] {
		problem(w, 409, "contacts_not_confirmed")
		return
	}
	f.passwords[f.regs[id]] = in.Password
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"account_id":"acc-%s","level":"simplified","session_token":"s"}`, id)
}

func (f *fakeCivis) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	pw, ok := f.passwords[in.Login]
	f.mu.Unlock()
	if !ok || pw != in.Password {
		problem(w, http.StatusUnauthorized, "invalid_credentials")
		return
	}
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(`{"session_token":"tok","account_id":"a","expires_at":"2030-01-01T00:00:00Z"}`))
}

func TestSetupRegistersThenReuses(t *testing.T) {
	f, c := newFakeCivis(t)
	file := filepath.Join(t.TempDir(), "bench", "accounts.json")
	ctx := context.Background()
	accts, err := Setup(ctx, c, SetupOptions{Accounts: 7, Concurrency: 3, File: file})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 7 || f.started != 7 {
		t.Fatalf("Setup of 7: got %d accounts after %d registrations", len(accts), f.started)
	}
	seen := map[string]bool{}
	for _, a := range accts {
		if seen[a.Login] || len(a.Login) != 12 || a.Login[:5] != "+7999" || a.AccountID == "" || a.Password == "" {
			t.Errorf("account %+v: want a unique +7999XXXXXXX login, an id and a password", a)
		}
		seen[a.Login] = true
	}
	again, err := Setup(ctx, c, SetupOptions{Accounts: 9, File: file})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 9 || f.started != 9 || again[0] != accts[0] || again[8].Password != accts[0].Password {
		t.Errorf("second Setup of 9: %d accounts after %d registrations; want the 7 reused and 2 more", len(again), f.started)
	}
	res := Run(ctx, Options{Concurrency: 2, MaxRequests: 20}, Login(c, again).Do)
	if res.Requests != 20 || res.Errors != 0 {
		t.Errorf("logins with the set-up accounts: %+v", res)
	}
}

func TestSetupReplacesAccountsTheServerDoesNotKnow(t *testing.T) {
	_, c := newFakeCivis(t)
	file := filepath.Join(t.TempDir(), "accounts.json")
	stale := &AccountsFile{Server: c.BaseURL, Accounts: []Account{{Login: "+79990000001", Password: "Old-Pass-1"}}}
	if err := stale.Save(file); err != nil {
		t.Fatal(err)
	}
	accts, err := Setup(context.Background(), c, SetupOptions{Accounts: 2, File: file})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := LoadAccounts(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || accts[0].Login == "+79990000001" || len(saved.Accounts) != 2 {
		t.Errorf("stale file: got %+v, saved %d; want 2 fresh accounts saved", accts, len(saved.Accounts))
	}
}

func TestSetupWithoutDevOutbox(t *testing.T) {
	f, c := newFakeCivis(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/registrations", f.register)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c.BaseURL = srv.URL
	_, err := Setup(context.Background(), c, SetupOptions{Accounts: 1})
	if err == nil || !strings.Contains(err.Error(), "--dev") {
		t.Errorf("Setup against a server without /dev/outbox: got %v; want advice to use --dev", err)
	}
}
