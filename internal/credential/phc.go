package credential

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// phc is a decoded argon2id hash in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

var (
	b64           = base64.RawStdEncoding.Strict()
	errMalformed  = errors.New("malformed argon2id hash")
	versionPrefix = "v=" + strconv.Itoa(argon2.Version)
)

// encode returns the PHC string.
func (h phc) encode() string {
	return fmt.Sprintf("$argon2id$%s$m=%d,t=%d,p=%d$%s$%s", versionPrefix,
		h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// parsePHC decodes and validates a PHC string.
func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != versionPrefix {
		return phc{}, errMalformed
	}
	p, err := parseCost(parts[3])
	if err != nil {
		return phc{}, err
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return phc{}, errMalformed
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return phc{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return phc{params: p, salt: salt, key: key}, nil
}

// parseCost parses "m=<KiB>,t=<passes>,p=<lanes>" in that order.
func parseCost(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, errMalformed
	}
	m, err1 := parseField(fields[0], "m=", 32)
	t, err2 := parseField(fields[1], "t=", 32)
	p, err3 := parseField(fields[2], "p=", 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return Params{}, errMalformed
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}, nil
}

// parseField parses "<prefix><unsigned decimal>" fitting in bits.
func parseField(s, prefix string, bits int) (uint64, error) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, errMalformed
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, errMalformed
	}
	return n, nil
}
