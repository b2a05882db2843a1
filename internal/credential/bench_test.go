package credential

import (
	"context"
	"testing"
)

// BenchmarkArgon2idDefault measures one argon2id hash with DefaultParams: the
// raw CPU cost of a password sign-in.
func BenchmarkArgon2idDefault(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "Correct-Horse-9"); err != nil {
			b.Fatal(err)
		}
	}
}
