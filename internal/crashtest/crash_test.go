package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/ident"
)

// server is a civis process under test.
type server struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
}

func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills a real server: skipped in -short mode")
	}
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "civis")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(strings.TrimSpace(string(root)), "cmd", "civis")).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (s *server) start(extra ...string) {
	s.t.Helper()
	args := append([]string{"serve", "--dev", "--addr", s.addr, "--db", "sqlite:" + filepath.Join(s.dir, "civis.db"),
		"--keys-file", filepath.Join(s.dir, "keys.json"), "--rate-limit-scale", "1000", "--log-level", "error",
		"--argon2-time", "1", "--job-lease", "5s"}, extra...)
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, io.Discard
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + s.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatal("server did not become ready")
}

func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

func (s *server) call(method, path string, body any, token string) (int, map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, "http://"+s.addr+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s *server) messages(to string) []map[string]any {
	resp, err := http.Get("http://" + s.addr + "/dev/outbox?format=json&to=" + strings.ReplaceAll(to, "+", "%2B"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// register creates an account through the API and returns its session token.
func (s *server) register(phone string) string {
	s.t.Helper()
	st, reg := s.call("POST", "/api/v1/registrations", map[string]any{"last_name": "Иванов", "first_name": "Иван", "phone": phone}, "")
	if st != 201 {
		s.t.Fatalf("register: %d %v", st, reg)
	}
	var code string
	for i := 0; i < 100 && code == ""; i++ {
		if msgs := s.messages(phone); len(msgs) > 0 {
			code = codeRE.FindString(msgs[0]["body"].(string))
		}
		time.Sleep(50 * time.Millisecond)
	}
	id := reg["id"].(string)
	if st, out := s.call("POST", "/api/v1/registrations/"+id+"/confirm", map[string]any{"channel": "phone", "code": code}, ""); st != 200 {
		s.t.Fatalf("confirm: %d %v", st, out)
	}
	st, out := s.call("POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": "Zebra-Castle-42"}, "")
	if st != 201 {
		s.t.Fatalf("password: %d %v", st, out)
	}
	return out["session_token"].(string)
}

// snils makes the i-th valid SNILS (check digits per DOMAIN.md).
func snils(i int) string {
	base := fmt.Sprintf("%09d", 123000000+i*7919)
	sum := 0
	for k, c := range base {
		sum += int(c-'0') * (9 - k)
	}
	check := (sum % 101) % 100
	s := fmt.Sprintf("%s%02d", base, check)
	if _, err := ident.NormalizeSNILS(s); err != nil {
		panic(err)
	}
	return s
}

// TestKillDuringRegistryChecks submits the profiles of several citizens, kills the server
// with SIGKILL while their registry checks run (each simulator call takes a while), starts it
// again on the same database, and checks that every submission finishes, every account
// becomes standard, and each citizen is told exactly once.
func TestKillDuringRegistryChecks(t *testing.T) {
	s := &server{t: t, bin: build(t), dir: t.TempDir(), addr: freeAddr(t)}
	slow := []string{"--simulator-delay", "1500ms", "--workers", "2"}
	s.start(slow...)
	defer func() {
		if s.cmd.ProcessState == nil {
			s.kill()
		}
	}()
	const n = 8
	tokens := make([]string, n)
	for i := range n {
		tokens[i] = s.register(fmt.Sprintf("+7916555%04d", i))
		profile := map[string]any{
			"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван", "gender": "M",
				"birth_date": "1985-03-14", "birth_place": "г. Москва", "citizenship": "RUS"},
			"snils": snils(i),
			"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": fmt.Sprintf("%06d", 200000+i),
				"issue_date": "2005-04-02", "issuer": "ОВД", "department_code": "770001"},
		}
		if st, out := s.call("PUT", "/api/v1/me/profile", profile, tokens[i]); st != 200 {
			t.Fatalf("profile %d: %d %v", i, st, out)
		}
		if st, out := s.call("POST", "/api/v1/me/profile/submit", map[string]any{}, tokens[i]); st != 202 {
			t.Fatalf("submit %d: %d %v", i, st, out)
		}
	}
	pending := 0
	for _, tok := range tokens {
		if _, me := s.call("GET", "/api/v1/me", nil, tok); me["level"] != "standard" {
			pending++
		}
	}
	if pending == 0 {
		t.Fatal("every check finished before the kill: the test would prove nothing")
	}
	s.kill() // checks are in flight: two workers are inside 1.5 s simulator calls
	t.Logf("killed with %d of %d submissions unfinished", pending, n)
	s.start() // no delay now: let the rest finish quickly

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i, tok := range tokens {
		for {
			_, me := s.call("GET", "/api/v1/me", nil, tok)
			if me["level"] == "standard" {
				break
			}
			if ctx.Err() != nil {
				_, checks := s.call("GET", "/api/v1/me/profile/checks", nil, tok)
				t.Fatalf("account %d did not become standard after the crash: %v", i, checks)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	results := func(phone string) int {
		k := 0
		for _, m := range s.messages(phone) {
			if !codeRE.MatchString(m["body"].(string)) {
				k++
			}
		}
		return k
	}
	for i := range n {
		phone := fmt.Sprintf("+7916555%04d", i)
		for results(phone) == 0 && ctx.Err() == nil { // the message is a job of its own
			time.Sleep(200 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // a duplicate would arrive by now
	for i := range n {
		if got := results(fmt.Sprintf("+7916555%04d", i)); got != 1 {
			t.Errorf("citizen %d got %d result messages, want exactly 1", i, got)
		}
	}
}
