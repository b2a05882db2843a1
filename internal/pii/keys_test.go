package pii

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func mustGenerate(t *testing.T) *Keys {
	t.Helper()
	k, err := Generate()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustGenerate(t)
	c, err := k.Seal([]byte("112-233-445 95"), []byte("accounts.snils/a1"))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Contains(c, []byte("112-233-445 95")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	tests := []struct {
		name    string
		aad     string
		wantErr bool
	}{
		{"same aad", "accounts.snils/a1", false},
		{"other row", "accounts.snils/a2", true},
		{"no aad", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := k.Open(c, []byte(tc.aad))
			if (err != nil) != tc.wantErr {
				t.Fatalf("Open(aad %q) error %v, want error %v", tc.aad, err, tc.wantErr)
			}
			if !tc.wantErr && string(p) != "112-233-445 95" {
				t.Errorf("Open(aad %q) got %q, want the plaintext", tc.aad, p)
			}
		})
	}
	if _, err := mustGenerate(t).Open(c, []byte("accounts.snils/a1")); err == nil {
		t.Error("Open with other keys succeeded, want an error")
	}
}

func TestSealOpenString(t *testing.T) {
	k := mustGenerate(t)
	for _, s := range []string{"", "+79161234567", "Иванов"} {
		t.Run(s, func(t *testing.T) {
			c, err := k.SealString(s, "aad")
			if err != nil {
				t.Fatalf("SealString(%q): %v", s, err)
			}
			if (c == nil) != (s == "") {
				t.Errorf("SealString(%q) got %x, want nil exactly for the empty string", s, c)
			}
			got, err := k.OpenString(c, "aad")
			if err != nil || got != s {
				t.Errorf("OpenString(SealString(%q)) got (%q, %v)", s, got, err)
			}
		})
	}
}

func TestRotate(t *testing.T) {
	k := mustGenerate(t)
	var before bytes.Buffer
	if err := k.Write(&before); err != nil {
		t.Fatalf("Write: %v", err)
	}
	old, _ := k.Seal([]byte("old"), nil)
	oldID := primaryID(t, k)
	if err := k.Rotate(); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	newID := primaryID(t, k)
	if newID == oldID {
		t.Fatalf("Rotate kept primary key %d", oldID)
	}
	if p, err := k.Open(old, nil); err != nil || string(p) != "old" {
		t.Errorf("Open(old ciphertext) after Rotate got (%q, %v), want (old, nil)", p, err)
	}
	fresh, _ := k.Seal([]byte("new"), nil)
	if got := keyIDOf(fresh); got != newID {
		t.Errorf("ciphertext after Rotate is under key %d, want new primary %d", got, newID)
	}
	stale, err := Load(&before)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := stale.Open(fresh, nil); err == nil {
		t.Error("keys from before Rotate opened a new ciphertext, want an error")
	}
}

// primaryID returns the id of the primary AEAD key.
func primaryID(t *testing.T, k *Keys) uint32 {
	t.Helper()
	e, err := k.aeadHandle.Primary()
	if err != nil {
		t.Fatalf("Primary: %v", err)
	}
	return e.KeyID()
}

// keyIDOf reads the key id from a tink-prefixed ciphertext (version byte,
// then a big-endian key id).
func keyIDOf(c []byte) uint32 {
	return binary.BigEndian.Uint32(c[1:5])
}

func TestWriteLoad(t *testing.T) {
	k := mustGenerate(t)
	if err := k.Rotate(); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	c, _ := k.Seal([]byte("secret"), []byte("aad"))
	var buf bytes.Buffer
	if err := k.Write(&buf); err != nil {
		t.Fatalf("Write: %v", err)
	}
	k2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p, err := k2.Open(c, []byte("aad")); err != nil || string(p) != "secret" {
		t.Errorf("loaded keys Open got (%q, %v), want (secret, nil)", p, err)
	}
	if !bytes.Equal(k.CodeKey(), k2.CodeKey()) || len(k2.CodeKey()) != 32 {
		t.Errorf("code key changed over Write/Load or is not 32 bytes")
	}
	for _, in := range [][2]string{{"snils", "11223344595"}, {"phone", "+79161234567"}, {"email", ""}} {
		if a, b := k.BlindIndex(in[0], in[1]), k2.BlindIndex(in[0], in[1]); a != b {
			t.Errorf("BlindIndex(%q, %q) got %q before Write, %q after Load", in[0], in[1], a, b)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := mustGenerate(t).Write(&buf); err != nil {
		t.Fatalf("Write: %v", err)
	}
	good := buf.String()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not json", "keys"},
		{"no keysets", `{"code_key":"AAAA"}`},
		{"swapped keysets", swapKeysets(t, good)},
		{"short code key", strings.Replace(good, `"code_key": "`, `"code_key": "AAAA`, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(strings.NewReader(tc.in)); err == nil {
				t.Errorf("Load(%s) succeeded, want an error", tc.name)
			}
		})
	}
}

// swapKeysets exchanges the aead and mac members of a keys file.
func swapKeysets(t *testing.T, s string) string {
	t.Helper()
	s = strings.Replace(s, `"aead":`, `"tmp":`, 1)
	s = strings.Replace(s, `"mac":`, `"aead":`, 1)
	return strings.Replace(s, `"tmp":`, `"mac":`, 1)
}

func TestBlindIndex(t *testing.T) {
	k := mustGenerate(t)
	a := k.BlindIndex("snils", "11223344595")
	tests := []struct {
		name        string
		keys        *Keys
		kind, value string
		wantSame    bool
	}{
		{"repeat", k, "snils", "11223344595", true},
		{"other value", k, "snils", "98765432183", false},
		{"other kind", k, "inn", "11223344595", false},
		{"kind boundary", k, "snils1", "1223344595", false},
		{"other keys", mustGenerate(t), "snils", "11223344595", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.keys.BlindIndex(tc.kind, tc.value); (got == a) != tc.wantSame {
				t.Errorf("BlindIndex(%q, %q) = %q, equal to %q: %v, want %v", tc.kind, tc.value, got, a, got == a, tc.wantSame)
			}
		})
	}
	if strings.ContainsAny(a, "+/=") {
		t.Errorf("BlindIndex got %q, want unpadded base64url", a)
	}
	if err := k.Rotate(); err != nil || k.BlindIndex("snils", "11223344595") != a {
		t.Errorf("BlindIndex changed after Rotate (err %v)", err)
	}
}
