// Package mfatest is a software passkey authenticator for tests: it answers the options of
// navigator.credentials.create and .get as a browser with one ES256 passkey would, with
// "none" attestation. It is test support, used by the mfa, flow and API tests.
package mfatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator holds one passkey once Create has run.
type Authenticator struct {
	Origin         string // the page's origin, e.g. http://localhost:8080
	BackupEligible bool   // a synced passkey ("swk") rather than a device-bound one ("hwk")
	NoUserVerify   bool   // answer without verifying the user

	key        *ecdsa.PrivateKey
	credID     []byte
	userHandle []byte
	rpID       string
	counter    uint32
}

// New returns an authenticator for pages of origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

var b64 = base64.RawURLEncoding

// Create makes a new passkey for the creation options (JSON) and returns the browser's answer
// (PublicKeyCredential as JSON).
func (a *Authenticator) Create(optionsJSON []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("creation options: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	a.key, a.rpID, a.counter = key, o.PublicKey.RP.ID, 0
	a.credID = make([]byte, 16)
	rand.Read(a.credID)
	if a.userHandle, err = b64.DecodeString(o.PublicKey.User.ID); err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	x, y := key.PublicKey.X.FillBytes(make([]byte, 32)), key.PublicKey.Y.FillBytes(make([]byte, 32))
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		return nil, err
	}
	auth := a.authData(0x40)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(a.credID)))
	auth = append(append(auth, a.credID...), cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return nil, err
	}
	cd := a.clientData("webauthn.create", o.PublicKey.Challenge)
	return json.Marshal(map[string]any{"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID),
		"type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal"}}})
}

// Get signs the request options (JSON) with the passkey and returns the browser's answer.
func (a *Authenticator) Get(optionsJSON []byte) ([]byte, error) {
	if a.key == nil {
		return nil, errors.New("no passkey: call Create first")
	}
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("request options: %w", err)
	}
	a.counter++
	auth := a.authData(0)
	cd := a.clientData("webauthn.get", o.PublicKey.Challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID),
		"type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.userHandle)}})
}

// authData is the RP id hash, the flags (user present, verified, backup) plus extra, and the
// signature counter.
func (a *Authenticator) authData(extra byte) []byte {
	h := sha256.Sum256([]byte(a.rpID))
	flags := byte(0x01) | extra
	if !a.NoUserVerify {
		flags |= 0x04
	}
	if a.BackupEligible {
		flags |= 0x08
	}
	return binary.BigEndian.AppendUint32(append(h[:], flags), a.counter)
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}
