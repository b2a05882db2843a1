package crashtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// partnerBank mints client assertions for a bank client registered with the CLI.
type partnerBank struct {
	id, base string
	key      *ecdsa.PrivateKey
}

func (b *partnerBank) assertion() string {
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	now := time.Now()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: b.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "bank-1"))
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: b.id, Subject: b.id, Audience: jwt.Audience{b.base + "/api/v1/partner"},
		ID: hex.EncodeToString(jti), IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute))}).Serialize()
	if err != nil {
		panic(err)
	}
	return tok
}

// send posts body with a fresh assertion; err is set when no answer came (the server died).
func (b *partnerBank) send(path string, body any) (int, map[string]any, error) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.base+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.assertion())
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

// registerBank registers a bank client with the CLI, as docs/partner-banks.md describes.
func (s *server) registerBank() *partnerBank {
	s.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "bank-1", Algorithm: "ES256", Use: "sig"}}})
	jwks := filepath.Join(s.dir, "bank.jwks")
	if err := os.WriteFile(jwks, set, 0o600); err != nil {
		s.t.Fatal(err)
	}
	out, err := exec.Command(s.bin, "clients", "create", "--dev", "--db", "sqlite:"+filepath.Join(s.dir, "civis.db"),
		"--keys-file", filepath.Join(s.dir, "keys.json"), "--id", "bank-1", "--name", "Банк Пример", "--role", "bank",
		"--auth-method", "private_key_jwt", "--jwks-file", jwks).CombinedOutput()
	if err != nil {
		s.t.Fatalf("civis clients create: %v\n%s", err, out)
	}
	return &partnerBank{id: "bank-1", base: "http://" + s.addr, key: key}
}

// partnerCall is one request of the test and what it must end as.
type partnerCall struct {
	path   string
	body   map[string]any
	status int    // the final answer's status
	phone  string // where its one message goes (E.164)
	marker string // what that message says
}

// TestKillDuringPartnerRequests fires bank registrations and confirmations with distinct
// request ids, kills the server with SIGKILL while they run, starts it again on the same
// database and resends every request id: each gets a final answer, and each acted exactly
// once (one account and one activation SMS per registration, one notice per confirmation).
func TestKillDuringPartnerRequests(t *testing.T) {
	s := &server{t: t, bin: build(t), dir: t.TempDir(), addr: freeAddr(t)}
	s.start("--workers", "2")
	defer func() {
		if s.cmd.ProcessState == nil {
			s.kill()
		}
	}()
	bank := s.registerBank()

	// Citizens with standard accounts, for the confirmations.
	const nConfirm, nRegister = 3, 16
	var calls []partnerCall
	tokens := make([]string, nConfirm)
	for j := range nConfirm {
		phone := fmt.Sprintf("+7916333%04d", j)
		tokens[j] = s.register(phone)
		profile := map[string]any{
			"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван", "gender": "M",
				"birth_date": "1985-03-14", "birth_place": "г. Москва", "citizenship": "RUS"},
			"snils": snils(500 + j),
			"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": fmt.Sprintf("%06d", 500000+j),
				"issue_date": "2005-04-02", "issuer": "ОВД", "department_code": "770001"},
		}
		if st, out := s.call("PUT", "/api/v1/me/profile", profile, tokens[j]); st != 200 {
			t.Fatalf("profile %d: %d %v", j, st, out)
		}
		if st, out := s.call("POST", "/api/v1/me/profile/submit", map[string]any{}, tokens[j]); st != 202 {
			t.Fatalf("submit %d: %d %v", j, st, out)
		}
		calls = append(calls, partnerCall{path: "/api/v1/partner/confirmations", status: 200, phone: phone, marker: "Банк Пример",
			body: map[string]any{"request_id": fmt.Sprintf("confirm-%d", j), "snils": snils(500 + j), "last_name": "Иванов",
				"first_name": "Иван", "birth_date": "1985-03-14", "passport_series": "4509",
				"passport_number": fmt.Sprintf("%06d", 500000+j), "phone": phone}})
	}
	deadline := time.Now().Add(30 * time.Second)
	for j, tok := range tokens {
		for {
			if _, me := s.call("GET", "/api/v1/me", nil, tok); me["level"] == "standard" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("citizen %d did not become standard", j)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i := range nRegister {
		phone := fmt.Sprintf("+7916444%04d", i)
		calls = append(calls, partnerCall{path: "/api/v1/partner/registrations", status: 201, phone: phone, marker: "/activate/",
			body: map[string]any{"request_id": fmt.Sprintf("register-%d", i), "snils": snils(600 + i), "last_name": "Петров",
				"first_name": "Пётр", "birth_date": "1990-01-02", "gender": "M", "birth_place": "г. Тверь",
				"passport_series": "2801", "passport_number": fmt.Sprintf("%06d", 600000+i), "passport_issue_date": "2010-02-03",
				"passport_issuer": "ОВД", "passport_department_code": "690-001", "phone": phone}})
	}

	// Fire them all from a few clients; kill the server once some have been answered.
	var answered atomic.Int32
	killed := make(chan struct{})
	var wg sync.WaitGroup
	next := atomic.Int32{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(calls) {
					return
				}
				select {
				case <-killed:
					return
				default:
				}
				if _, _, err := bank.send(calls[k].path, calls[k].body); err == nil {
					answered.Add(1)
				}
			}
		}()
	}
	for answered.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.kill()
	close(killed)
	wg.Wait()
	t.Logf("killed after %d of %d requests were answered", answered.Load(), len(calls))
	if int(answered.Load()) >= len(calls) {
		t.Fatal("every request was answered before the kill: the test would prove nothing")
	}

	s.start("--workers", "2")
	for _, c := range calls {
		st, out, err := bank.send(c.path, c.body)
		if err != nil || st != c.status {
			t.Errorf("resend %s: %d %v %v, want %d", c.body["request_id"], st, out, err, c.status)
			continue
		}
		// A second resend answers the same again.
		st2, out2, err := bank.send(c.path, c.body)
		if err != nil || st2 != st || out2["account_id"] != out["account_id"] || out2["at"] != out["at"] {
			t.Errorf("second resend %s: %d %v, want %d %v", c.body["request_id"], st2, out2, st, out)
		}
	}
	count := func(c partnerCall) int {
		n := 0
		for _, m := range s.messages(c.phone) {
			if strings.Contains(m["body"].(string), c.marker) {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range calls { // messages are jobs of their own: wait for each
		for count(c) == 0 && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // a duplicate would arrive by now
	for _, c := range calls {
		if n := count(c); n != 1 {
			t.Errorf("%s: %d messages with %q to %s, want exactly 1", c.body["request_id"], n, c.marker, c.phone)
		}
	}
	// One account per registration: the same citizen under a new request id is refused.
	for i := range nRegister {
		body := map[string]any{}
		for k, v := range calls[nConfirm+i].body {
			body[k] = v
		}
		body["request_id"] = fmt.Sprintf("again-%d", i)
		if st, out, err := bank.send("/api/v1/partner/registrations", body); err != nil || st != 409 {
			t.Errorf("registration %d again: %d %v %v, want 409", i, st, out, err)
		}
	}
}
