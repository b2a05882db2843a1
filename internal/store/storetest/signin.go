package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// testSecondFactors covers the mfa.Store: the summary, TOTP steps used once, recovery codes
// used once, passkeys, devices and the reset.
func testSecondFactors(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	summary := func() mfa.Factors {
		t.Helper()
		f, err := db.FactorSummary(c, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := summary(); f != (mfa.Factors{}) {
		t.Fatalf("new account has factors %+v", f)
	}
	if _, err := db.GetTOTP(c, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetTOTP of none = %v", err)
	}
	k := &mfa.TOTPKey{AccountID: a.ID, Secret: "JBSWY3DPEHPK3PXP", CreatedAt: at(0)}
	if err := db.SaveTOTP(c, k); err != nil {
		t.Fatal(err)
	}
	if f := summary(); f.TOTP {
		t.Error("an unconfirmed TOTP counts as a factor")
	}
	if ok, _ := db.UseTOTPStep(c, a.ID, 5); ok {
		t.Error("an unconfirmed TOTP accepted a step")
	}
	k.ConfirmedAt, k.LastStep = at(time.Minute), 3
	if err := db.SaveTOTP(c, k); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetTOTP(c, a.ID)
	if err != nil || got.Secret != k.Secret || !got.ConfirmedAt.Equal(k.ConfirmedAt) || got.LastStep != 3 {
		t.Fatalf("GetTOTP = %+v, %v", got, err)
	}
	for step, want := range []bool{false, false, false, false, true} { // steps 0..4, last used 3
		if ok, _ := db.UseTOTPStep(c, a.ID, int64(step)); ok != want {
			t.Errorf("UseTOTPStep(%d) = %v, want %v", step, ok, want)
		}
	}
	if ok, _ := db.UseTOTPStep(c, a.ID, 4); ok {
		t.Error("step 4 accepted twice")
	}
	if err := db.SetSMSFactor(c, a.ID, true, at(0)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSMSFactor(c, a.ID, true, at(0)); err != nil {
		t.Fatalf("SetSMSFactor twice: %v", err)
	}
	if err := db.ReplaceRecoveryCodes(c, a.ID, []string{"h1", "h2", "h3"}, at(0)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.UseRecoveryCode(c, a.ID, "h2", at(time.Minute)); !ok {
		t.Error("UseRecoveryCode(h2) refused")
	}
	if ok, _ := db.UseRecoveryCode(c, a.ID, "h2", at(time.Minute)); ok {
		t.Error("UseRecoveryCode(h2) accepted twice")
	}
	if f := summary(); !f.TOTP || !f.SMS || f.RecoveryCodes != 2 || f.Passkeys != 0 {
		t.Errorf("summary = %+v", f)
	}
	if err := db.ReplaceRecoveryCodes(c, a.ID, []string{"h4"}, at(0)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.UseRecoveryCode(c, a.ID, "h1", at(time.Minute)); ok {
		t.Error("a replaced recovery code still works")
	}
	testPasskeys(t, db, a.ID)
	testDevices(t, db, a.ID)
	if err := db.DeleteSecondFactors(c, a.ID); err != nil {
		t.Fatal(err)
	}
	if f := summary(); f != (mfa.Factors{}) {
		t.Errorf("after DeleteSecondFactors: %+v", f)
	}
}

func testPasskeys(t *testing.T, db *sqlstore.DB, accountID string) {
	c := ctx(t)
	p := &mfa.Passkey{ID: newID(), AccountID: accountID, Name: "Laptop", CredentialID: []byte{1, 2, 3},
		Credential: webauthn.Credential{ID: []byte{1, 2, 3}, PublicKey: []byte{9, 9}}, CreatedAt: at(0)}
	if err := db.AddPasskey(c, p); err != nil {
		t.Fatal(err)
	}
	dup := *p
	dup.ID = newID()
	if err := db.AddPasskey(c, &dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second passkey with the same credential id: %v, want ErrConflict", err)
	}
	p.Credential.Authenticator.SignCount, p.LastUsedAt = 7, at(time.Hour)
	if err := db.UpdatePasskey(c, p); err != nil {
		t.Fatal(err)
	}
	list, err := db.Passkeys(c, accountID)
	if err != nil || len(list) != 1 || list[0].Name != "Laptop" || list[0].Credential.Authenticator.SignCount != 7 ||
		!list[0].LastUsedAt.Equal(at(time.Hour)) || string(list[0].CredentialID) != "\x01\x02\x03" {
		t.Fatalf("Passkeys = %+v, %v", list, err)
	}
	if ok, _ := db.DeletePasskey(c, newID(), p.ID); ok {
		t.Error("DeletePasskey removed another account's passkey")
	}
	if ok, _ := db.DeletePasskey(c, accountID, p.ID); !ok {
		t.Error("DeletePasskey failed")
	}
	if err := db.AddPasskey(c, p); err != nil {
		t.Fatal(err)
	}
}

func testDevices(t *testing.T, db *sqlstore.DB, accountID string) {
	c := ctx(t)
	if err := db.AddDevice(c, &mfa.Device{TokenHash: "dev1", AccountID: accountID, CreatedAt: at(0), ExpiresAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddDevice(c, &mfa.Device{TokenHash: "dev2", AccountID: accountID, CreatedAt: at(0), ExpiresAt: at(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d, err := db.DeviceByTokenHash(c, "dev1")
	if err != nil || d.AccountID != accountID || !d.ExpiresAt.Equal(at(time.Hour)) {
		t.Fatalf("DeviceByTokenHash = %+v, %v", d, err)
	}
	if n, err := db.DeleteExpiredSignIn(c, at(2*time.Hour), 10); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSignIn = %d, %v; want 1", n, err)
	}
	if _, err := db.DeviceByTokenHash(c, "dev1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired device still there: %v", err)
	}
}

// testSignInFlows covers sign-ins waiting for a second factor, passkey prompts taken once,
// proof-of-work challenges used once, and a session's new sign-in time.
func testSignInFlows(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	l := &flow.LoginFlow{ID: "login-token", AccountID: a.ID, Methods: []string{"totp", "sms"}, AMR: []string{"pwd"},
		CreatedAt: at(0), ExpiresAt: at(5 * time.Minute)}
	if err := db.CreateLogin(c, l); err != nil {
		t.Fatal(err)
	}
	stale := *l
	l.Attempts = 1
	if err := db.UpdateLogin(c, l); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateLogin(c, &stale); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateLogin with a stale version = %v, want ErrConflict", err)
	}
	got, err := db.GetLogin(c, l.ID)
	if err != nil || got.Attempts != 1 || got.Methods[1] != "sms" || got.Version != 2 || !got.ExpiresAt.Equal(l.ExpiresAt) {
		t.Fatalf("GetLogin = %+v, %v", got, err)
	}
	if _, err := db.GetRegistration(c, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a login flow read as a registration: %v", err)
	}
	if err := db.DeleteLogin(c, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetLogin(c, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted login still there: %v", err)
	}

	cer := &mfa.Ceremony{ID: "cer", AccountID: a.ID, Kind: "login", ExpiresAt: at(time.Minute),
		Session: webauthn.SessionData{Challenge: "abc", UserID: []byte(a.ID)}}
	if err := db.SaveCeremony(c, cer); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 4 {
		wg.Go(func() {
			if got, err := db.TakeCeremony(c, "cer"); err == nil && got.Session.Challenge == "abc" {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if taken != 1 {
		t.Errorf("the ceremony was taken %d times, want once", taken)
	}

	if err := db.UsePoW(c, "p1", at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.UsePoW(c, "p1", at(time.Minute)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UsePoW twice = %v, want ErrConflict", err)
	}
	err = db.InTx(c, func(c context.Context) error {
		if err := db.UsePoW(c, "p1", at(time.Minute)); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("UsePoW in a transaction = %v, want ErrConflict", err)
		}
		return db.UsePoW(c, "p2", at(time.Minute)) // the transaction is still usable
	})
	if err != nil {
		t.Error(err)
	}
	if n, err := db.DeleteExpiredSignIn(c, at(2*time.Minute), 10); err != nil || n != 2 {
		t.Errorf("DeleteExpiredSignIn = %d, %v; want 2 used challenges", n, err)
	}

	s := &session.Session{ID: newID(), AccountID: a.ID, TokenHash: "th", AMR: []string{"pwd", "otp", "mfa"},
		AuthTime: at(0), CreatedAt: at(0), LastSeenAt: at(0), ExpiresAt: at(time.Hour)}
	if err := db.CreateSession(c, s); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSessionAuthTime(c, s.ID, at(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SessionByTokenHash(c, "th"); !got.AuthTime.Equal(at(30*time.Minute)) || len(got.AMR) != 3 {
		t.Errorf("after SetSessionAuthTime: %+v", got)
	}
}
