package credential

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// cheap are fast parameters for tests that do not measure cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(DefaultParams(), 2)
	enc, err := h.Hash(ctx, "Correct-Horse-9")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(enc, want) {
		t.Errorf("Hash got %q, want prefix %q", enc, want)
	}
	tests := []struct {
		password string
		wantOK   bool
	}{
		{"Correct-Horse-9", true},
		{"correct-horse-9", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.password, func(t *testing.T) {
			ok, rehash, err := h.Verify(ctx, tc.password, enc)
			if err != nil || ok != tc.wantOK || rehash {
				t.Errorf("Verify(%q) got (%v, %v, %v), want (%v, false, nil)", tc.password, ok, rehash, err, tc.wantOK)
			}
		})
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	h := NewHasher(cheap, 1)
	a, _ := h.Hash(context.Background(), "same")
	b, _ := h.Hash(context.Background(), "same")
	if a == b {
		t.Errorf("two hashes of the same password are equal: %q", a)
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := NewHasher(cheap, 1)
	enc, err := old.Hash(ctx, "pw")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	stronger := cheap
	stronger.Time = 2
	tests := []struct {
		name       string
		h          *Hasher
		password   string
		wantOK     bool
		wantRehash bool
	}{
		{"same params", old, "pw", true, false},
		{"new params", NewHasher(stronger, 1), "pw", true, true},
		{"new params wrong password", NewHasher(stronger, 1), "nope", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := tc.h.Verify(ctx, tc.password, enc)
			if err != nil || ok != tc.wantOK || rehash != tc.wantRehash {
				t.Errorf("Verify got (%v, %v, %v), want (%v, %v, nil)", ok, rehash, err, tc.wantOK, tc.wantRehash)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := []struct{ name, enc string }{
		{"empty", ""},
		{"dollars only", "$$$$$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x"},
		{"params order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"params missing", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"params sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"params overflow", "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"memory below lanes", "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key},
		{"bad salt base64", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"empty key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
	}
	h := NewHasher(cheap, 1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "pw", tc.enc)
			if err == nil || ok || rehash {
				t.Errorf("Verify(%q) got (%v, %v, %v), want an error", tc.enc, ok, rehash, err)
			}
		})
	}
}

func TestHashInvalidParams(t *testing.T) {
	h := NewHasher(Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	if _, err := h.Hash(context.Background(), "pw"); err == nil {
		t.Error("Hash with Time=0 succeeded, want an error")
	}
}

func TestConcurrencyBound(t *testing.T) {
	h := NewHasher(cheap, 1)
	h.sem <- struct{}{} // occupy the only slot
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
			t.Errorf("Hash with a full hasher and cancelled ctx got %v, want context.Canceled", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { _, _, err := h.Verify(ctx, "pw", mustHash(t, cheap)); done <- err }()
		waitFor(t, func() bool { return h.Waiting() == 1 })
		if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Verify with a full hasher got %v, want context.DeadlineExceeded", err)
		}
		if got := h.Waiting(); got != 0 {
			t.Errorf("Waiting() after timeout got %d, want 0", got)
		}
	})
	if got := h.InFlight(); got != 1 {
		t.Errorf("InFlight() got %d, want 1", got)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "pw"); err != nil || h.InFlight() != 0 {
		t.Errorf("Hash after release got err %v, InFlight %d; want nil, 0", err, h.InFlight())
	}
}

func TestNewHasherDefaultConcurrency(t *testing.T) {
	h := NewHasher(cheap, 0)
	if got, want := cap(h.sem), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("NewHasher(p, 0) allows %d at once, want GOMAXPROCS %d", got, want)
	}
}

func TestVerifyDummy(t *testing.T) {
	h := NewHasher(cheap, 1)
	h.VerifyDummy(context.Background(), "pw")
	ok, _, err := h.Verify(context.Background(), "pw", h.dummy())
	if err != nil || ok {
		t.Errorf("Verify against the dummy hash got (%v, %v), want (false, nil)", ok, err)
	}
	if h.dummy() != h.dummy() {
		t.Error("dummy hash is not computed once")
	}
}

// mustHash hashes "pw" with p, bypassing any semaphore.
func mustHash(t *testing.T, p Params) string {
	t.Helper()
	enc, err := NewHasher(p, 1).Hash(context.Background(), "pw")
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	return enc
}

// waitFor polls cond for up to a second.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 100 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition not reached")
}

// TestUnusable: no password matches an unusable hash, and each one is different.
func TestUnusable(t *testing.T) {
	h := NewHasher(cheap, 1)
	a, b := h.Unusable(), h.Unusable()
	if a == b {
		t.Error("two unusable hashes are equal")
	}
	for _, pw := range []string{"", "password", a} {
		if ok, _, err := h.Verify(context.Background(), pw, a); ok || err != nil {
			t.Errorf("Verify(%q, unusable) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}
