package operator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// ActionEnrolledByBank is recorded on the citizen's chain when a partner bank enrolls them
// (actor "client:<bank client id>").
const ActionEnrolledByBank = "bank.enrolled"

// password is a first password prepared outside the transaction (hashing is slow): a
// temporary one to send, or for an activation link a hash no password matches.
type password struct{ plain, hash string }

func (s *Service) preparePassword(ctx context.Context, activation string) (password, error) {
	if activation == ActivationLink { // nothing to hash: Enroll runs it inside transactions
		return password{hash: s.Hasher.Unusable()}, nil
	}
	plain := credential.GeneratePassword()
	h, err := s.Hasher.Hash(ctx, plain)
	if err != nil {
		return password{}, fmt.Errorf("hash password: %w", err)
	}
	return password{plain: plain, hash: h}, nil
}

// Register registers a citizen who has no account, at the confirmed level (method in_person,
// with the center and the operator). The registry checks run as usual; the citizen gets a
// temporary password or an activation link. The bool is true for a replayed request. Past
// the limits on those messages (per phone or email, per center) the request fails with a
// *ledger.Failure rate_limited wrapping flow's rate_limited error: nothing changes, and the
// same request id may be resent once the window has passed.
func (s *Service) Register(ctx context.Context, a Actor, requestID string, in RegisterInput) (*ledger.Request, bool, error) {
	r := &registration{}
	r.e, r.err = normalize(in, s.now())
	if r.err == nil {
		r.en = Enrollment{RegisterInput: r.e.RegisterInput, Method: MethodInPerson, CenterID: a.CenterID,
			OperatorID: a.OperatorID, RequestID: requestID}
	}
	prepare := func(ctx context.Context) error { return s.prepareRegistration(ctx, r) }
	return s.do(ctx, a, requestID, TypeRegister, in, prepare, func(ctx context.Context) (ledger.Outcome, error) {
		if r.err != nil {
			return ledger.Outcome{}, r.err
		}
		if r.limited != nil { // an existing account is still answered as such
			return ledger.Outcome{}, cmp.Or(s.refuseExisting(ctx, r.e), r.limited)
		}
		acc, err := s.enroll(ctx, r.en, r.e, r.pw, a.IP)
		if err != nil {
			return ledger.Outcome{}, err
		}
		return ledger.Outcome{Subject: acc.ID, Status: 201, Message: "account registered at the confirmed level",
			Result: s.result(requestID, acc, "Registered at the confirmed level; the citizen gets the first password by message.")}, nil
	})
}

// registration is a Register request as prepared outside the ledger's transaction.
type registration struct {
	e       *enrollee
	en      Enrollment
	pw      password
	err     error // the input's refusal
	limited error // a message limit reached already: the request fails
}

// prepareRegistration hashes the first password, unless the input was refused or a message
// limit is reached already (then the request fails without costing a hash).
func (s *Service) prepareRegistration(ctx context.Context, r *registration) error {
	if r.err != nil {
		return nil
	}
	err := s.peekSend(ctx, r.en, r.e)
	if limited(err, &r.limited) {
		return nil
	}
	if err != nil {
		return err
	}
	r.pw, err = s.preparePassword(ctx, r.e.Activation)
	return err
}

// Enroll creates a confirmed account from data checked in person or by a bank, inside the
// caller's transaction (it joins the one in ctx): the account with its contacts, the profile
// with the personal data, SNILS and passport, the registry checks (started as for a citizen's
// own submission), the confirmation with who confirmed, the audit events and the activation
// message. The phone and email are stored as verified: the operator or the bank took them
// from the citizen in person or from its own verified records, and the first password or
// activation link goes to them, so the citizen proves them by signing in. Refusals are
// *ledger.Rejection: validation_failed, or account_exists for a concurrent enrollment. When
// accounts exist with the enrollee's identifiers the refusal is an *ExistsError, which
// unwraps to account_exists, account_confirmed, checks_running or check_failed and lists the
// accounts found, so that a caller may answer by its own rules. Past the limits on the message (per phone or email, per center or bank) it
// fails with a *ledger.Failure rate_limited, which the ledger records as failed.
func (s *Service) Enroll(ctx context.Context, en Enrollment) (string, error) {
	if en.Method != MethodInPerson && en.Method != MethodBank {
		return "", fmt.Errorf("enroll: unknown method %q", en.Method)
	}
	e, err := normalize(en.RegisterInput, s.now())
	if err != nil {
		return "", err
	}
	pw, err := s.preparePassword(ctx, e.Activation)
	if err != nil {
		return "", err
	}
	acc, err := s.enroll(ctx, en, e, pw, "")
	if err != nil {
		return "", err
	}
	return acc.ID, nil
}

func (s *Service) enroll(ctx context.Context, en Enrollment, e *enrollee, pw password, ip string) (*account.Account, error) {
	var acc *account.Account
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.refuseExisting(ctx, e); err != nil {
			return err
		}
		if err := s.limitSend(ctx, en, e); err != nil {
			return err
		}
		var err error
		if acc, err = s.createAccount(ctx, en, e, pw); err != nil {
			return err
		}
		if err := s.startChecks(ctx, acc.ID, e, enrollActor(en), ip); err != nil {
			return err
		}
		c := &Confirmation{AccountID: acc.ID, Method: en.Method, CenterID: en.CenterID, OperatorID: en.OperatorID,
			BankID: en.BankID, BankName: en.BankName, RequestID: en.RequestID, SNILS: e.SNILS,
			Passport: e.Passport.Series + e.Passport.Number, ConfirmedAt: acc.ConfirmedAt}
		if err := s.Store.PutConfirmation(ctx, c); err != nil {
			return err
		}
		if err := s.auditEnrollment(ctx, en, acc, ip); err != nil {
			return err
		}
		return s.sendActivation(ctx, en, acc, pw)
	})
	if errors.Is(err, store.ErrTaken) { // a concurrent enrollment took an identifier (a contact)
		return nil, reject(CodeAccountExists, statusConflict, "An account with this phone or email exists.")
	}
	return acc, err // another conflict (a deadlock, say) fails: the ledger runs the request again
}

func enrollActor(en Enrollment) string {
	if en.Method == MethodBank {
		return "client:" + en.BankID
	}
	return "operator:" + en.OperatorID
}

// refuseExisting refuses when an account exists with the SNILS, passport, phone or email: an
// *ExistsError with the step of the escalation path that fits the first one found, in that
// order, which lists every account found.
func (s *Service) refuseExisting(ctx context.Context, e *enrollee) error {
	ls := []struct {
		l    lookup
		what string
	}{
		{lookup{BySNILS, e.SNILS}, "SNILS"},
		{lookup{ByPassport, e.Passport.Series + e.Passport.Number}, "passport"},
		{lookup{ByPhone, e.Phone}, "phone"},
		{lookup{ByEmail, e.Email}, "email"},
	}
	x := &ExistsError{}
	loaded := map[string]*state{}
	for _, id := range ls {
		if id.l.value == "" {
			continue
		}
		sts, err := s.findAll(ctx, id.l, loaded)
		if err != nil {
			return err
		}
		if x.Refusal == nil && len(sts) > 0 && sts[0].acc != nil {
			x.Refusal = sts[0].refusal(id.what)
		}
		for _, st := range sts {
			if st.acc != nil {
				x.Matches = append(x.Matches, newMatch(id.l, st))
			}
		}
	}
	if x.Refusal == nil {
		return nil
	}
	return x
}

// findAll returns the states of every account the identifier designates, active ones first,
// loading each account once across the lookups of one enrollment (acc nil: gone since).
func (s *Service) findAll(ctx context.Context, l lookup, loaded map[string]*state) ([]*state, error) {
	ids, err := s.Store.FindAccounts(ctx, l.kind, l.value)
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	out := make([]*state, 0, len(ids))
	for _, id := range ids {
		st, ok := loaded[id]
		if !ok {
			if st, err = s.load(ctx, id); err != nil {
				return nil, err
			}
			loaded[id] = st
		}
		out = append(out, st)
	}
	return out, nil
}

func newMatch(l lookup, st *state) Match {
	return Match{By: l.kind, AccountID: st.acc.ID, Level: st.acc.Level, Deleted: st.deleted,
		Verified: verifiedAs(l, st.prof)}
}

// verifiedAs reports whether the profile holds the identifier as verified data; contacts are
// found only when verified.
func verifiedAs(l lookup, p *proofing.Profile) bool {
	switch l.kind {
	case BySNILS:
		return p != nil && p.SNILS.Verified != nil && *p.SNILS.Verified == l.value
	case ByPassport:
		return p != nil && p.IDDoc.Verified != nil && p.IDDoc.Verified.Series+p.IDDoc.Verified.Number == l.value
	}
	return true
}

func (s *Service) createAccount(ctx context.Context, en Enrollment, e *enrollee, pw password) (*account.Account, error) {
	now := s.now()
	acc := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Confirmed, State: account.Active,
		LastName: e.LastName, FirstName: e.FirstName, MiddleName: e.MiddleName, Locale: "ru",
		ConfirmationMethod: en.Method, ConfirmedAt: now, CreatedAt: now, UpdatedAt: now}
	for _, c := range []struct {
		kind  account.ContactKind
		value string
	}{{account.Phone, e.Phone}, {account.Email, e.Email}} {
		if c.value != "" {
			acc.Contacts = append(acc.Contacts, account.Contact{ID: uuid.Must(uuid.NewV7()).String(), Kind: c.kind,
				Value: c.value, Verified: true, CreatedAt: now})
		}
	}
	if err := s.Accounts.CreateAccount(ctx, acc, account.Password{Hash: pw.hash, MustChange: true, UpdatedAt: now}); err != nil {
		return nil, fmt.Errorf("create account: %w", err)
	}
	return acc, nil
}

// startChecks stores the personal data, SNILS and passport as the profile's pending version
// and submits them to the registries, as a citizen's own submission would.
func (s *Service) startChecks(ctx context.Context, accountID string, e *enrollee, actor, ip string) error {
	m := proofing.Meta{IP: ip, Actor: actor}
	if _, err := s.Profiles.Update(ctx, accountID, e.patch, m); err != nil {
		return proofingRefusal(err)
	}
	if _, err := s.Profiles.Submit(ctx, accountID, m); err != nil {
		return proofingRefusal(err)
	}
	return nil
}

// proofingRefusal turns proofing's refusals into the operator's.
func proofingRefusal(err error) error {
	var f fields
	if addProofing(&f, err) {
		return f.err()
	}
	var pe *proofing.Error
	if errors.As(err, &pe) && pe.Code == "snils_taken" {
		return reject(CodeAccountExists, statusConflict, "An account with this SNILS exists. Confirm its identity instead of registering.")
	}
	return err
}

func (s *Service) auditEnrollment(ctx context.Context, en Enrollment, acc *account.Account, ip string) error {
	via := map[string]string{"level": string(acc.Level), "via": en.Method}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: audit.AccountCreated,
		Actor: enrollActor(en), IP: ip, Details: via}); err != nil {
		return err
	}
	if en.Method == MethodBank {
		return s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionEnrolledByBank, Actor: enrollActor(en),
			Details: map[string]string{"bank_id": en.BankID, "bank_name": en.BankName, DetailRequestID: en.RequestID}})
	}
	a := Actor{OperatorID: en.OperatorID, CenterID: en.CenterID, IP: ip}
	return s.record(ctx, a, ActionRegistered, acc.ID, s.details(ctx, a, en.RequestID))
}

// sendActivation queues the first password or the activation link to the phone (or the email
// when there is no phone).
func (s *Service) sendActivation(ctx context.Context, en Enrollment, acc *account.Account, pw password) error {
	who := en.BankName
	if en.Method == MethodInPerson {
		who = s.centerName(ctx, en.CenterID)
	}
	data := map[string]any{"Name": acc.FirstName, "Site": s.Config.SiteURL, "Center": who}
	tpl := messages.OperatorTempPassword
	if pw.plain != "" {
		data["Password"] = pw.plain
	} else {
		link, err := s.newActivation(ctx, acc.ID)
		if err != nil {
			return err
		}
		tpl, data["Link"], data["Hours"] = messages.OperatorActivationLink, link, strconv.Itoa(int(s.Config.ActivationTTL.Hours()))
	}
	return s.sendFirst(ctx, acc, tpl, data)
}

// sendFirst sends tpl to the account's phone, or to its email when it has no phone.
func (s *Service) sendFirst(ctx context.Context, acc *account.Account, tpl messages.Template, data map[string]any) error {
	if c, ok := acc.Contact(account.Phone); ok {
		return s.Outbox.Send(ctx, notify.SMS, c.Value, acc.Locale, tpl, data)
	}
	if c, ok := acc.Contact(account.Email); ok {
		return s.Outbox.Send(ctx, notify.Email, c.Value, acc.Locale, tpl, data)
	}
	return nil
}
