package ledger

import "testing"

// TestFingerprint: equal inputs of a kind match, and the fingerprint depends on the key, so a
// ledger row reveals nothing that hashing guesses without the key could find.
func TestFingerprint(t *testing.T) {
	a, b := &Service{Key: []byte("key-a")}, &Service{Key: []byte("key-b")}
	in := map[string]string{"passport_number": "123456"}
	if a.Fingerprint("confirm", in) != a.Fingerprint("confirm", map[string]string{"passport_number": "123456"}) {
		t.Error("equal inputs have different fingerprints")
	}
	if a.Fingerprint("confirm", in) == a.Fingerprint("register", in) {
		t.Error("the kind does not count")
	}
	if a.Fingerprint("confirm", in) == b.Fingerprint("confirm", in) {
		t.Error("the fingerprint does not depend on the key")
	}
}
