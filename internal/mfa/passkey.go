package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// waUser is an account as WebAuthn sees it. The user handle is the account id: opaque, and
// what a passkey sign-in without a login finds the account by.
type waUser struct {
	acc   *account.Account
	keys  []*Passkey
	creds []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return []byte(u.acc.ID) }
func (u *waUser) WebAuthnName() string                       { return accountLabel(u.acc) }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }
func (u *waUser) WebAuthnDisplayName() string {
	n := strings.TrimSpace(strings.Join([]string{u.acc.FirstName, u.acc.LastName}, " "))
	if n == "" {
		return u.WebAuthnName()
	}
	return n
}

func (s *Service) loadUser(ctx context.Context, accountID string) (*waUser, error) {
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	keys, err := s.Store.Passkeys(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load passkeys: %w", err)
	}
	u := &waUser{acc: acc, keys: keys}
	for _, k := range keys {
		u.creds = append(u.creds, k.Credential)
	}
	return u, nil
}

// Passkeys lists the account's passkeys.
func (s *Service) Passkeys(ctx context.Context, accountID string) ([]*Passkey, error) {
	return s.Store.Passkeys(ctx, accountID)
}

// BeginPasskeyRegistration starts adding a passkey: it returns the prompt's id and the
// options for navigator.credentials.create ({"publicKey": ...}). The passkey is discoverable
// and verifies the user, so that it can also sign in without a password.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, sess *session.Session) (string, *protocol.CredentialCreation, error) {
	if !s.PasskeysOn() {
		return "", nil, ErrPasskeysOff
	}
	if err := s.fresh(sess); err != nil {
		return "", nil, err
	}
	u, err := s.loadUser(ctx, sess.AccountID)
	if err != nil {
		return "", nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, data, err := s.WebAuthn.BeginRegistration(u,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return "", nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	id, err := s.saveCeremony(ctx, sess.AccountID, "register", data)
	if err != nil {
		return "", nil, err
	}
	return id, opts, nil
}

// FinishPasskeyRegistration checks the browser's answer to the prompt and stores the new
// passkey under name.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, sess *session.Session, ceremonyID, name string, response []byte, ip string) (*Passkey, error) {
	if !s.PasskeysOn() {
		return nil, ErrPasskeysOff
	}
	if err := s.fresh(sess); err != nil {
		return nil, err
	}
	c, err := s.takeCeremony(ctx, ceremonyID, "register", sess.AccountID)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, ErrPasskeyInvalid
	}
	u, err := s.loadUser(ctx, sess.AccountID)
	if err != nil {
		return nil, err
	}
	cred, err := s.WebAuthn.CreateCredential(u, c.Session, parsed)
	if err != nil {
		return nil, ErrPasskeyInvalid
	}
	now := s.Now().UTC()
	p := &Passkey{ID: uuid.Must(uuid.NewV7()).String(), AccountID: sess.AccountID, Name: passkeyName(name, len(u.keys)),
		CredentialID: cred.ID, Credential: *cred, CreatedAt: now}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddPasskey(ctx, p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return ErrPasskeyInvalid // the authenticator already holds a passkey here
			}
			return fmt.Errorf("save passkey: %w", err)
		}
		return s.record(ctx, sess.AccountID, change{action: ActionPasskeyAdded, tpl: messages.PasskeyAdded, ip: ip,
			details: map[string]string{"passkey_id": p.ID}})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// passkeyName trims the citizen's name for a passkey, or numbers it.
func passkeyName(name string, have int) string {
	name = strings.TrimSpace(name)
	for utf8.RuneCountInString(name) > 64 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if name == "" {
		return fmt.Sprintf("Passkey %d", have+1)
	}
	return name
}

// RemovePasskey deletes one of the account's passkeys.
func (s *Service) RemovePasskey(ctx context.Context, sess *session.Session, id, ip string) error {
	return s.changeTx(ctx, sess, func(ctx context.Context) error {
		ok, err := s.Store.DeletePasskey(ctx, sess.AccountID, id)
		if err != nil {
			return fmt.Errorf("delete passkey: %w", err)
		}
		if !ok {
			return ErrNotFound
		}
		return s.record(ctx, sess.AccountID, change{action: ActionPasskeyRemoved, tpl: messages.PasskeyRemoved, ip: ip,
			details: map[string]string{"passkey_id": id}})
	})
}

// BeginPasskeyLogin starts a passkey prompt for signing in: for the account (a second factor)
// or, with accountID "", for whoever holds a passkey (a sign-in without a password, which
// must verify the user). It returns the prompt's id and the options for
// navigator.credentials.get ({"publicKey": ...}).
func (s *Service) BeginPasskeyLogin(ctx context.Context, accountID string) (string, *protocol.CredentialAssertion, error) {
	if !s.PasskeysOn() {
		return "", nil, ErrPasskeysOff
	}
	var opts *protocol.CredentialAssertion
	var data *webauthn.SessionData
	var err error
	if accountID == "" {
		opts, data, err = s.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	} else {
		var u *waUser
		if u, err = s.loadUser(ctx, accountID); err != nil {
			return "", nil, err
		}
		if len(u.creds) == 0 {
			return "", nil, ErrNotFound
		}
		opts, data, err = s.WebAuthn.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	}
	if err != nil {
		return "", nil, fmt.Errorf("begin passkey login: %w", err)
	}
	id, err := s.saveCeremony(ctx, accountID, "login", data)
	if err != nil {
		return "", nil, err
	}
	return id, opts, nil
}

// FinishPasskeyLogin checks the browser's answer to a sign-in prompt and returns the account
// it proves and the RFC 8176 methods it used: "hwk" for a passkey bound to its device, "swk"
// for one that can be synced (backup eligible), and "user" when the user was verified.
// accountID must be the one the prompt was started for ("" for a sign-in without a login).
func (s *Service) FinishPasskeyLogin(ctx context.Context, ceremonyID, accountID string, response []byte) (string, []string, error) {
	if !s.PasskeysOn() {
		return "", nil, ErrPasskeysOff
	}
	c, err := s.takeCeremony(ctx, ceremonyID, "login", accountID)
	if err != nil {
		return "", nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return "", nil, ErrPasskeyInvalid
	}
	var u *waUser
	var cred *webauthn.Credential
	if accountID == "" {
		var wu webauthn.User
		wu, cred, err = s.WebAuthn.ValidatePasskeyLogin(func(_, handle []byte) (webauthn.User, error) {
			return s.activeUser(ctx, string(handle))
		}, c.Session, parsed)
		if err == nil {
			u = wu.(*waUser)
		}
	} else if u, err = s.loadUser(ctx, accountID); err == nil {
		cred, err = s.WebAuthn.ValidateLogin(u, c.Session, parsed)
	}
	if err != nil || cred.Authenticator.CloneWarning {
		return "", nil, ErrPasskeyInvalid
	}
	if err := s.touchPasskey(ctx, u, cred); err != nil {
		return "", nil, err
	}
	amr := []string{"hwk"}
	if cred.Flags.BackupEligible {
		amr[0] = "swk"
	}
	if parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		amr = append(amr, "user")
	}
	return u.acc.ID, amr, nil
}

// activeUser loads the account a passkey names, if it may sign in.
func (s *Service) activeUser(ctx context.Context, accountID string) (*waUser, error) {
	if _, err := uuid.Parse(accountID); err != nil {
		return nil, ErrPasskeyInvalid
	}
	u, err := s.loadUser(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if u.acc.State != account.Active {
		return nil, ErrPasskeyInvalid
	}
	return u, nil
}

// touchPasskey stores the credential's new signature counter and the time of use.
func (s *Service) touchPasskey(ctx context.Context, u *waUser, cred *webauthn.Credential) error {
	for _, k := range u.keys {
		if bytes.Equal(k.CredentialID, cred.ID) {
			k.Credential, k.LastUsedAt = *cred, s.Now().UTC()
			if err := s.Store.UpdatePasskey(ctx, k); err != nil {
				return fmt.Errorf("update passkey: %w", err)
			}
			return nil
		}
	}
	return ErrPasskeyInvalid
}

func (s *Service) saveCeremony(ctx context.Context, accountID, kind string, data *webauthn.SessionData) (string, error) {
	id, err := credential.NewToken()
	if err != nil {
		return "", err
	}
	// The ceremony's own expiry, on the service's clock, bounds the prompt.
	c := &Ceremony{ID: id, AccountID: accountID, Kind: kind, Session: *data, ExpiresAt: s.Now().UTC().Add(s.Config.CeremonyTTL)}
	if err := s.Store.SaveCeremony(ctx, c); err != nil {
		return "", fmt.Errorf("save passkey prompt: %w", err)
	}
	return id, nil
}

// takeCeremony returns the live ceremony id of kind for accountID, deleting it.
func (s *Service) takeCeremony(ctx context.Context, id, kind, accountID string) (*Ceremony, error) {
	if id == "" {
		return nil, ErrPasskeyInvalid
	}
	c, err := s.Store.TakeCeremony(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrPasskeyInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("load passkey prompt: %w", err)
	}
	if c.Kind != kind || c.AccountID != accountID || !s.Now().Before(c.ExpiresAt) {
		return nil, ErrPasskeyInvalid
	}
	return c, nil
}
