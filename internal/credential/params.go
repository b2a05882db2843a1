package credential

import (
	"errors"
	"fmt"
)

// Limits that keep a configured or stored parameter set sane; they also stop a
// tampered hash from making Verify allocate unbounded memory.
const (
	maxMemoryKiB = 1 << 21 // 2 GiB
	maxTime      = 64
	minSaltLen   = 8
	minKeyLen    = 16
	maxByteLen   = 1024
)

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // memory in KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // salt bytes
	KeyLen  uint32 // derived key bytes
}

// DefaultParams returns the OWASP minimum for argon2id: 19 MiB, 2 passes,
// 1 lane, a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Validate returns an error when p is unusable or outside sane bounds.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("argon2id threads must be at least 1")
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time must be in 1..%d", maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2id memory must be in %d..%d KiB", 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxByteLen:
		return fmt.Errorf("argon2id salt length must be in %d..%d", minSaltLen, maxByteLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxByteLen:
		return fmt.Errorf("argon2id key length must be in %d..%d", minKeyLen, maxByteLen)
	}
	return nil
}
