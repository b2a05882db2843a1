package pii

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// keysFile is the JSON layout of a keys file.
type keysFile struct {
	AEAD    json.RawMessage `json:"aead"`     // tink JSON keyset, AES256-GCM
	MAC     json.RawMessage `json:"mac"`      // tink JSON keyset, HMAC-SHA256
	CodeKey string          `json:"code_key"` // standard base64
}

// Write writes all keys, in cleartext, as one JSON document.
func (k *Keys) Write(w io.Writer) error {
	k.mu.RLock()
	ah := k.aeadHandle
	k.mu.RUnlock()
	a, err := keysetJSON(ah)
	if err != nil {
		return fmt.Errorf("write aead keyset: %w", err)
	}
	m, err := keysetJSON(k.macHandle)
	if err != nil {
		return fmt.Errorf("write mac keyset: %w", err)
	}
	f := keysFile{AEAD: a, MAC: m, CodeKey: base64.StdEncoding.EncodeToString(k.codeKey)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write keys: %w", err)
	}
	return nil
}

// keysetJSON serialises h in cleartext tink JSON.
func keysetJSON(h *keyset.Handle) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Load reads keys written by [Keys.Write].
func Load(r io.Reader) (*Keys, error) {
	var f keysFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	ah, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(f.AEAD)))
	if err != nil {
		return nil, fmt.Errorf("load aead keyset: %w", err)
	}
	mh, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(f.MAC)))
	if err != nil {
		return nil, fmt.Errorf("load mac keyset: %w", err)
	}
	code, err := base64.StdEncoding.DecodeString(f.CodeKey)
	if err != nil {
		return nil, fmt.Errorf("load code key: %w", err)
	}
	k, err := newKeys(ah, mh, code)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return k, nil
}

// LoadOrCreate loads the keys file at path. When it is missing and create is
// true, it generates new keys and writes them to a new file with mode 0600,
// creating the parent directory with mode 0700; when create is false a
// missing file is an error.
func LoadOrCreate(path string, create bool) (*Keys, error) {
	k, err := loadFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if !create {
		return nil, fmt.Errorf("keys file %s not found", path)
	}
	return createFile(path)
}

// loadFile loads keys from path.
func loadFile(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	k, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// createFile generates keys into a new file at path. If another process
// creates the file first, that file is loaded instead.
func createFile(path string) (*Keys, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create keys directory: %w", err)
	}
	k, err := Generate()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create keys file: %w", err)
	}
	if err := writeFile(f, k); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("create keys file %s: %w", path, err)
	}
	return k, nil
}

// writeFile writes k to f, syncs and closes it.
func writeFile(f *os.File, k *Keys) error {
	err := errors.Join(f.Chmod(0o600), k.Write(f), f.Sync())
	return errors.Join(err, f.Close())
}
