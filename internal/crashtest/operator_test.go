package crashtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// centerClient is a service center's system calling the operator API of a civis process.
type centerClient struct {
	s        *server
	id       string
	key      *ecdsa.PrivateKey
	operator string
}

// cli runs a civis command on the server's database (the server is stopped).
func (s *server) cli(args ...string) string {
	s.t.Helper()
	args = append(args, "--db", "sqlite:"+filepath.Join(s.dir, "civis.db"), "--keys-file", filepath.Join(s.dir, "keys.json"))
	out, err := exec.Command(s.bin, args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("civis %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newCenterClient registers a private_key_jwt client with the center role from the command
// line, as a platform operator would.
func newCenterClient(s *server, center string) *centerClient {
	s.t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
	raw, _ := json.Marshal(set)
	file := filepath.Join(s.dir, "center-jwks.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		s.t.Fatal(err)
	}
	s.cli("clients", "create", "--id", "mfc-is", "--name", "ИС МФЦ", "--role", "center", "--center", center,
		"--auth-method", "private_key_jwt", "--jwks-file", file)
	return &centerClient{s: s, id: "mfc-is", key: k}
}

func (c *centerClient) assertion() string {
	now := time.Now()
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	claims := jwt.Claims{Issuer: c.id, Subject: c.id, Audience: jwt.Audience{"http://" + c.s.addr + "/api/v1/operator"},
		ID: fmt.Sprintf("%d-%x", now.UnixNano(), nonce), IssuedAt: jwt.NewNumericDate(now),
		Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute))}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: c.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		panic(err)
	}
	return tok
}

// send calls the operator API; err is set when the connection failed (the server died).
func (c *centerClient) send(method, path string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, "http://"+c.s.addr+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.assertion())
	req.Header.Set("Civis-Operator", c.operator)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, nil
}

func registration(i int) map[string]any {
	return map[string]any{"request_id": fmt.Sprintf("crash-%02d", i), "last_name": "Сидоров", "first_name": "Пётр",
		"phone": fmt.Sprintf("+7916888%04d", i), "gender": "male", "birth_date": "1985-05-06", "birth_place": "г. Тула",
		"snils": snils(100 + i), "passport": map[string]any{"series": "7003", "number": fmt.Sprintf("%06d", 400000+i),
			"issue_date": "2005-06-01", "issuer": "ОВД г. Тулы", "department_code": "710-001"}}
}

// TestKillDuringOperatorRegistrations fires registrations with distinct request ids at once,
// kills the server with SIGKILL after the first few answers, starts it again, resends every
// request with the same request_id, and checks that each made exactly one account and sent
// exactly one first-password SMS.
func TestKillDuringOperatorRegistrations(t *testing.T) {
	s := &server{t: t, bin: build(t), dir: t.TempDir(), addr: freeAddr(t)}
	s.start()
	defer func() {
		if s.cmd.ProcessState == nil {
			s.kill()
		}
	}()
	_, me := s.call("GET", "/api/v1/me", nil, s.register("+79168880999")) // the operator's own account
	operatorID, _ := me["id"].(string)
	if operatorID == "" {
		t.Fatalf("/me = %v", me)
	}
	s.kill()
	s.cli("staff", "add", "--center", "demo-tverskaya", "--login", "+79168880999", "--role", "operator")
	c := newCenterClient(s, "demo-tverskaya")
	c.operator = operatorID
	// Slow hashing, one at a time: the registrations queue up inside the server.
	s.start("--argon2-time", "6", "--hash-concurrency", "1")

	const n = 12
	var mu sync.Mutex
	answered := 0
	first := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _, err := c.send("POST", "/api/v1/operator/registrations", registration(i))
			if err != nil || st != 201 {
				return
			}
			mu.Lock()
			answered++
			if answered == 3 {
				close(first)
			}
			mu.Unlock()
		}()
	}
	select {
	case <-first:
	case <-time.After(60 * time.Second):
		t.Fatal("no answers before the kill")
	}
	s.kill() // the rest are in flight: queued for the hasher or inside their transaction
	wg.Wait()
	mu.Lock()
	t.Logf("killed after %d of %d answers", answered, n)
	if answered == n {
		t.Fatal("every request was answered before the kill: the test would prove nothing")
	}
	mu.Unlock()

	s.start()
	subjects := map[string]bool{}
	for i := range n {
		st, out, err := c.send("POST", "/api/v1/operator/registrations", registration(i))
		if err != nil || st != 201 || out["account_id"] == nil {
			t.Fatalf("resend %d: %d %v %v", i, st, out, err)
		}
		id := out["account_id"].(string)
		if subjects[id] {
			t.Errorf("request %d answered with another request's account %s", i, id)
		}
		subjects[id] = true
		_, e, _ := c.send("GET", fmt.Sprintf("/api/v1/operator/requests/crash-%02d", i), nil)
		if e["state"] != "done" || e["subject"] != id {
			t.Errorf("ledger entry %d = %v", i, e)
		}
		_, f, _ := c.send("POST", "/api/v1/operator/search", map[string]any{"reason": "crash test",
			"phone": registration(i)["phone"]})
		if f["exists"] != true || f["account_id"] != id {
			t.Errorf("search by the phone of %d = %v, want account %s", i, f, id)
		}
	}
	firstPasswords := func(phone string) int {
		k := 0
		for _, m := range s.messages(phone) {
			if strings.Contains(m["body"].(string), "пароль: ") {
				k++
			}
		}
		return k
	}
	deadline := time.Now().Add(30 * time.Second)
	for i := range n {
		phone := registration(i)["phone"].(string)
		for firstPasswords(phone) == 0 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // a duplicate would arrive by now
	for i := range n {
		if got := firstPasswords(registration(i)["phone"].(string)); got != 1 {
			t.Errorf("citizen %d got %d first-password messages, want exactly 1", i, got)
		}
	}
}
