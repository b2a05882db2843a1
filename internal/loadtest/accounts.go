package loadtest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/civis-id/civis/internal/credential"
)

// Account is a citizen account that a scenario signs in with.
type Account struct {
	Login     string `json:"login"` // E.164 phone
	Password  string `json:"password"`
	AccountID string `json:"account_id"`
}

// AccountsFile is what Setup keeps between runs: the server the accounts were made on and
// the accounts, so that the next run reuses them instead of registering new ones.
type AccountsFile struct {
	Server   string    `json:"server"`
	Created  time.Time `json:"created_at"`
	Accounts []Account `json:"accounts"`
}

// LoadAccounts reads an accounts file; a missing file gives an empty one and no error.
func LoadAccounts(path string) (*AccountsFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &AccountsFile{}, nil
	}
	if err != nil {
		return nil, err
	}
	var f AccountsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("accounts file %s: %w", path, err)
	}
	return &f, nil
}

// Save writes f to path (mode 0600, it holds passwords), creating the directory.
func (f *AccountsFile) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// phoneRange hands out unique mobile numbers +7999XXXXXXX: a random run-unique base plus
// a sequence, so that two runs against one database are unlikely to collide.
type phoneRange struct{ base int64 }

const phoneSpace = 10_000_000 // seven free digits after +7999

func newPhoneRange(n int) phoneRange {
	span := int64(max(phoneSpace-n, 1))
	v, err := rand.Int(rand.Reader, big.NewInt(span))
	if err != nil {
		panic("loadtest: crypto/rand failed: " + err.Error())
	}
	return phoneRange{base: v.Int64()}
}

func (p phoneRange) phone(i int) string {
	return fmt.Sprintf("+7999%07d", (p.base+int64(i))%phoneSpace)
}

// newPassword returns a password that passes the server's policy.
func newPassword() string { return credential.GeneratePassword() }
