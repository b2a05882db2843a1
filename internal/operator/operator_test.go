package operator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

// TestRegister: an operator registers a citizen; the account is confirmed in person at the
// center, the checks run, the citizen gets a temporary password once, a resend replays, and
// the next attempt for the same person is pointed along the escalation path.
func TestRegister(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			op := newOperator(t, env, centerA, staff.Operator)
			in := citizen(1, operator.ActivationPassword)
			req, replayed, err := env.App.Operator.Register(ctx, op, "reg-1", in)
			if err != nil || replayed || req.State != ledger.Done || req.Status != 201 {
				t.Fatalf("Register = %+v, %v, %v", req, replayed, err)
			}
			acc := getAccount(t, env, req.Subject)
			if acc.Level != account.Confirmed || acc.ConfirmationMethod != operator.MethodInPerson {
				t.Errorf("account level %s method %q, want confirmed in_person", acc.Level, acc.ConfirmationMethod)
			}
			c, err := env.App.DB.GetConfirmation(ctx, acc.ID)
			if err != nil || c.CenterID != centerA || c.OperatorID != op.OperatorID || c.RequestID != "reg-1" {
				t.Errorf("confirmation = %+v, %v", c, err)
			}
			again, replayed, err := env.App.Operator.Register(ctx, op, "reg-1", in)
			if err != nil || !replayed || string(again.Result) != string(req.Result) || again.Subject != acc.ID {
				t.Errorf("resend = %+v, %v, %v; want the first answer", again, replayed, err)
			}
			msgs := smsTo(env, in.Phone)
			if len(msgs) != 1 || tempPassword(msgs[0]) == "" {
				t.Fatalf("messages to the citizen = %q, want one with a temporary password", msgs)
			}
			other := in
			other.BirthPlace = "г. Орёл"
			if _, _, err := env.App.Operator.Register(ctx, op, "reg-1", other); !errors.Is(err, ledger.ErrReused) {
				t.Errorf("same id, other input: %v, want request_id_reused", err)
			}
			// The checks run as usual and keep the level.
			env.Deliver()
			if _, sub, _ := env.App.Proofing.Profile(ctx, acc.ID); sub == nil || sub.State != "verified" {
				t.Errorf("submission after the checks = %+v", sub)
			}
			if getAccount(t, env, acc.ID).Level != account.Confirmed {
				t.Error("the checks lowered the level")
			}
			// The same person again: the account exists and is confirmed.
			dup := in
			dup.Phone = "+79167770999"
			req, _, err = env.App.Operator.Register(ctx, op, "reg-2", dup)
			if code := refusal(t, req, err); code != operator.CodeAccountConfirmed {
				t.Errorf("second registration = %s, want account_confirmed", code)
			}
			ev := events(t, env, acc.ID)
			if d := ev[operator.ActionRegistered]; d["center_id"] != centerA || d["operator_id"] != op.OperatorID ||
				d["request_id"] != "reg-1" || d["center_name"] == "" || d["actor"] != "operator:"+op.OperatorID {
				t.Errorf("registered event = %v", d)
			}
			if _, ok := events(t, env, op.OperatorID)[operator.ActionRegistered]; !ok {
				t.Error("the registration is not on the operator's chain")
			}
		})
	}
}

func TestRegisterRefusals(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(2, "")
	in.SNILS, in.Passport.Series, in.Phone, in.Email = "123", "12", "", ""
	req, _, err := env.App.Operator.Register(ctx, op, "bad-1", in)
	if code := refusal(t, req, err); code != operator.CodeValidationFailed {
		t.Fatalf("bad input = %s, want validation_failed", code)
	}
	var fields []string
	for _, f := range strings.Split(string(req.Result), "\"field\":\"")[1:] {
		fields = append(fields, f[:strings.Index(f, "\"")])
	}
	for _, want := range []string{"phone", "snils", "passport.series"} {
		if !strings.Contains(strings.Join(fields, ","), want) {
			t.Errorf("field errors %v lack %s", fields, want)
		}
	}
	again, replayed, err := env.App.Operator.Register(ctx, op, "bad-1", in)
	if err != nil || !replayed || again.Code != operator.CodeValidationFailed || string(again.Result) != string(req.Result) {
		t.Errorf("resent bad input = %+v, %v, %v", again, replayed, err)
	}

	std, sin := standardAccount(t, env, 3)
	sin.Phone = "+79167771111"
	req, _, err = env.App.Operator.Register(ctx, op, "std-1", sin)
	if code := refusal(t, req, err); code != operator.CodeAccountExists {
		t.Errorf("register a standard account's person = %s, want account_exists", code)
	}
	// A phone already bound: account_exists too.
	fresh := citizen(4, "")
	fresh.Phone = std.Contacts[0].Value
	req, _, err = env.App.Operator.Register(ctx, op, "std-2", fresh)
	if code := refusal(t, req, err); code != operator.CodeAccountExists {
		t.Errorf("register with a bound phone = %s, want account_exists", code)
	}
	// Checks still running: wait.
	running := citizen(5, "")
	if _, _, err := env.App.Operator.Register(ctx, op, "run-1", running); err != nil {
		t.Fatal(err)
	}
	running.Phone = "+79167772222"
	req, _, err = env.App.Operator.Register(ctx, op, "run-2", running)
	if code := refusal(t, req, err); code != operator.CodeAccountConfirmed {
		t.Errorf("register a just-registered person = %s, want account_confirmed", code)
	}
}

func TestConfirm(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			op := newOperator(t, env, centerA, staff.Operator)
			acc, in := standardAccount(t, env, 10)

			req, _, err := env.App.Operator.Confirm(ctx, op, "c-1", acc.ID, "999999")
			if code := refusal(t, req, err); code != operator.CodePassportMismatch {
				t.Errorf("wrong number = %s, want passport_mismatch", code)
			}
			req, _, err = env.App.Operator.Confirm(ctx, op, "c-2", acc.ID, in.Passport.Series+" "+in.Passport.Number)
			if code := refusal(t, req, err); code != "ok" {
				t.Fatalf("confirm = %s (%s)", code, req.Message)
			}
			got := getAccount(t, env, acc.ID)
			if got.Level != account.Confirmed || got.ConfirmationMethod != operator.MethodInPerson {
				t.Errorf("after confirm: %s %s", got.Level, got.ConfirmationMethod)
			}
			if msgs := smsTo(env, in.Phone); len(msgs) == 0 || !strings.Contains(msgs[0], "подтверждена") {
				t.Errorf("messages = %q, want the confirmation", msgs)
			}
			if d := events(t, env, acc.ID)[operator.ActionConfirmed]; d["center_id"] != centerA || d["request_id"] != "c-2" {
				t.Errorf("confirmed event = %v", d)
			}
			req, _, err = env.App.Operator.Confirm(ctx, op, "c-3", acc.ID, in.Passport.Number)
			if code := refusal(t, req, err); code != operator.CodeAccountConfirmed {
				t.Errorf("confirm again = %s, want account_confirmed", code)
			}
			simple := newAccount(t, env, "+79160001122")
			req, _, err = env.App.Operator.Confirm(ctx, op, "c-4", simple.ID, "123456")
			if code := refusal(t, req, err); code != operator.CodeNotStandard {
				t.Errorf("confirm simplified = %s, want not_standard", code)
			}
			req, _, err = env.App.Operator.Confirm(ctx, op, "c-5", "no-such-account", "123456")
			if code := refusal(t, req, err); code != operator.CodeAccountNotFound {
				t.Errorf("confirm unknown = %s, want account_not_found", code)
			}
		})
	}
}

func TestConfirmWhileChecking(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(11, "")
	acc := newAccount(t, env, in.Phone)
	sn := in.SNILS
	if _, err := env.App.Proofing.Update(ctx, acc.ID, patchOf(in, &sn), proofMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Proofing.Submit(ctx, acc.ID, proofMeta); err != nil {
		t.Fatal(err)
	}
	req, _, err := env.App.Operator.Confirm(ctx, op, "w-1", acc.ID, in.Passport.Number)
	if code := refusal(t, req, err); code != operator.CodeChecksRunning {
		t.Errorf("confirm while checking = %s, want checks_running", code)
	}
	f, err := env.App.Operator.Find(ctx, op, operator.Query{Phone: in.Phone})
	if err != nil || f.Advice != operator.AdviseWaitChecks || len(f.Checks) == 0 || f.Checks[0].State != "pending" {
		t.Errorf("Find while checking = %+v, %v", f, err)
	}
}

func TestRestore(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			op := newOperator(t, env, centerA, staff.Operator)
			acc, in := standardAccount(t, env, 20)
			if _, _, err := env.App.Sessions.Create(ctx, acc.ID, []string{"pwd"}, sessionMeta); err != nil {
				t.Fatal(err)
			}
			newPhone := "+79165550000"
			req, _, err := env.App.Operator.Restore(ctx, op, "r-1", operator.RestoreInput{AccountID: acc.ID,
				TempPassword: true, NewPhone: newPhone})
			if code := refusal(t, req, err); code != "ok" {
				t.Fatalf("restore = %s %s", code, req.Message)
			}
			if ss, _ := env.App.DB.AccountSessions(ctx, acc.ID); len(ss) != 0 {
				t.Errorf("%d sessions survive the restoration", len(ss))
			}
			got := getAccount(t, env, acc.ID)
			if c, _ := got.Contact(account.Phone); c.Value != newPhone || !c.Verified {
				t.Errorf("phone after restore = %+v", c)
			}
			if old := smsTo(env, in.Phone); len(old) == 0 || !strings.Contains(old[0], "больше не используется") {
				t.Errorf("old phone got %q, want the rebinding notice", old)
			}
			var temp string
			for _, m := range smsTo(env, newPhone) {
				if p := tempPassword(m); p != "" {
					temp = p
				}
			}
			if temp == "" {
				t.Fatalf("no temporary password to the new phone: %q", smsTo(env, newPhone))
			}
			signInWithTemporary(t, env, newPhone, temp)
			if d := events(t, env, acc.ID)[operator.ActionRestored]; d["changed"] != "password,phone" || d["center_id"] != centerA {
				t.Errorf("restored event = %v", d)
			}
			req, _, err = env.App.Operator.Restore(ctx, op, "r-2", operator.RestoreInput{AccountID: acc.ID})
			if code := refusal(t, req, err); code != operator.CodeValidationFailed {
				t.Errorf("restore nothing = %s, want validation_failed", code)
			}
			simple := newAccount(t, env, "+79160002233")
			req, _, err = env.App.Operator.Restore(ctx, op, "r-3", operator.RestoreInput{AccountID: simple.ID, TempPassword: true})
			if code := refusal(t, req, err); code != operator.CodeNotStandard {
				t.Errorf("restore a simplified account = %s, want not_standard", code)
			}
		})
	}
}

// signInWithTemporary: the temporary password alone is refused with
// password_change_required; with a new password the sign-in succeeds, and the new password
// works afterwards while the temporary one does not.
func signInWithTemporary(t *testing.T, env *apptest.Env, login, temp string) {
	t.Helper()
	_, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: login, Password: temp}, flow.Meta{})
	if !errors.Is(err, flow.ErrPasswordChangeFirst) {
		t.Fatalf("sign-in with the temporary password: %v, want password_change_required", err)
	}
	_, err = env.App.Flows.Login(ctx, flow.LoginInput{Login: login, Password: temp, NewPassword: "short"}, flow.Meta{})
	var ve *flow.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "new_password" {
		t.Errorf("weak new password: %v", err)
	}
	res, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: login, Password: temp, NewPassword: "Maple-Harbor-77"}, flow.Meta{})
	if err != nil || res.Signed == nil {
		t.Fatalf("sign-in changing the password: %+v, %v", res, err)
	}
	if _, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: login, Password: temp}, flow.Meta{}); !errors.Is(err, flow.ErrInvalidCredentials) {
		t.Errorf("the temporary password still works: %v", err)
	}
	if res, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: login, Password: "Maple-Harbor-77"}, flow.Meta{}); err != nil || res.Signed == nil {
		t.Errorf("sign-in with the new password: %v", err)
	}
}

func TestRemoveDuplicate(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	keep, in := standardAccount(t, env, 30)
	dup := newAccount(t, env, "+79163330000")
	sn := in.SNILS
	if _, err := env.App.Proofing.Update(ctx, dup.ID, patchOf(in, &sn), proofMeta); err != nil {
		t.Fatal(err)
	}
	stranger := newAccount(t, env, "+79163330001")

	req, _, err := env.App.Operator.RemoveDuplicate(ctx, op, "d-1", keep.ID, stranger.ID)
	if code := refusal(t, req, err); code != operator.CodeNotSamePerson {
		t.Errorf("remove a stranger = %s, want not_same_person", code)
	}
	confirmedKeep, _, err := env.App.Operator.Register(ctx, op, "d-reg", citizen(31, ""))
	if err != nil {
		t.Fatal(err)
	}
	req, _, err = env.App.Operator.RemoveDuplicate(ctx, op, "d-2", keep.ID, confirmedKeep.Subject)
	if code := refusal(t, req, err); code != operator.CodeDuplicateConfirmed {
		t.Errorf("remove a confirmed account = %s, want duplicate_confirmed", code)
	}
	req, _, err = env.App.Operator.RemoveDuplicate(ctx, op, "d-3", keep.ID, dup.ID)
	if code := refusal(t, req, err); code != "ok" {
		t.Fatalf("remove the duplicate = %s %s", code, req.Message)
	}
	if got := getAccount(t, env, dup.ID); got.State != account.Deleted {
		t.Errorf("duplicate state = %s, want deleted", got.State)
	}
	if getAccount(t, env, keep.ID).State != account.Active {
		t.Error("the kept account was touched")
	}
	if d := events(t, env, dup.ID)[operator.ActionDuplicateRemoved]; d["kept_account_id"] != keep.ID || d["request_id"] != "d-3" {
		t.Errorf("duplicate_removed event = %v", d)
	}
	req, _, err = env.App.Operator.RemoveDuplicate(ctx, op, "d-4", keep.ID, dup.ID)
	if code := refusal(t, req, err); code != operator.CodeAccountNotFound {
		t.Errorf("remove again = %s, want account_not_found", code)
	}
	f, err := env.App.Operator.Find(ctx, op, operator.Query{Phone: "+79163330000"})
	if err != nil || !f.Exists || !f.Deleted || f.Advice != operator.AdviseRestoreDeleted {
		t.Errorf("Find the deleted duplicate = %+v, %v", f, err)
	}
}

func TestFind(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	acc, in := standardAccount(t, env, 40)
	if _, err := env.App.Operator.Find(ctx, operator.Actor{OperatorID: op.OperatorID, CenterID: centerA},
		operator.Query{SNILS: in.SNILS}); refusal(t, nil, err) != operator.CodeValidationFailed {
		t.Errorf("Find without a reason: %v", err)
	}
	for name, q := range map[string]operator.Query{
		"snils":    {SNILS: in.SNILS},
		"passport": {PassportSeries: in.Passport.Series, PassportNumber: in.Passport.Number},
		"phone":    {Phone: "8 916 777-00-40"},
	} {
		f, err := env.App.Operator.Find(ctx, op, q)
		if err != nil || !f.Exists || f.AccountID != acc.ID || f.Advice != operator.AdviseConfirm ||
			f.Person == nil || f.Person.Passport.Number != in.Passport.Number || f.Person.BirthDate != in.BirthDate {
			t.Errorf("Find by %s = %+v, %v", name, f, err)
			continue
		}
		if strings.Contains(f.Person.Phone, "777004") || !strings.HasSuffix(f.Person.Phone, "40") {
			t.Errorf("phone %q is not masked", f.Person.Phone)
		}
	}
	f, err := env.App.Operator.Find(ctx, op, operator.Query{SNILS: snils(41)})
	if err != nil || f.Exists || f.Advice != operator.AdviseRegister {
		t.Errorf("Find nobody = %+v, %v", f, err)
	}
	if _, err := env.App.Operator.Find(ctx, op, operator.Query{SNILS: in.SNILS, Phone: in.Phone}); refusal(t, nil, err) != operator.CodeValidationFailed {
		t.Errorf("two identifiers: %v", err)
	}
	d := events(t, env, acc.ID)[operator.ActionSearch]
	if d["actor"] != "operator:"+op.OperatorID || d["reason"] != op.Reason || d["center_id"] != centerA || d["center_name"] == "" {
		t.Errorf("search event on the citizen's chain = %v", d)
	}
	if d := events(t, env, op.OperatorID)[operator.ActionSearch]; d["found"] != "false" || d["by"] != "snils" {
		t.Errorf("last search on the operator's chain = %v", d)
	}
	ok, level, err := env.App.Operator.Exists(ctx, op, operator.Query{SNILS: in.SNILS})
	if err != nil || !ok || level != account.Standard {
		t.Errorf("Exists = %v %v %v", ok, level, err)
	}
}

func TestPermissions(t *testing.T) {
	env := apptest.New(t)
	opA := newOperator(t, env, centerA, staff.Operator)
	admin := newOperator(t, env, centerA, staff.CenterAdmin)
	asB := opA
	asB.CenterID = centerB
	nobody := newAccount(t, env, "")
	outsider := operator.Actor{OperatorID: nobody.ID, CenterID: centerA, ClientID: "workstation", Reason: "x"}
	in := citizen(50, "")
	for name, a := range map[string]operator.Actor{"center B": asB, "not staff": outsider, "no operator": {CenterID: centerA}} {
		if _, _, err := env.App.Operator.Register(ctx, a, "p-"+name, in); refusal(t, nil, err) != operator.CodeForbidden {
			t.Errorf("%s registers: %v, want forbidden", name, err)
		}
		if _, err := env.App.Operator.Find(ctx, a, operator.Query{SNILS: in.SNILS}); refusal(t, nil, err) != operator.CodeForbidden {
			t.Errorf("%s finds: %v, want forbidden", name, err)
		}
		if _, err := env.App.Operator.Request(ctx, a, "p-1"); refusal(t, nil, err) != operator.CodeForbidden {
			t.Errorf("%s reads a request: %v, want forbidden", name, err)
		}
	}
	if _, _, err := env.App.Operator.Register(ctx, admin, "p-admin", in); err != nil {
		t.Errorf("a center_admin registers: %v", err)
	}
	if _, err := env.App.Operator.Request(ctx, opA, "p-admin"); err != nil {
		t.Errorf("a colleague reads the request of the same client: %v", err)
	}
	if _, err := env.App.Operator.Request(ctx, opA, "nope"); refusal(t, nil, err) != operator.CodeRequestNotFound {
		t.Errorf("unknown request: %v", err)
	}
}

func TestActivationLink(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(60, operator.ActivationLink)
	req, _, err := env.App.Operator.Register(ctx, op, "a-1", in)
	if code := refusal(t, req, err); code != "ok" {
		t.Fatalf("register = %s", code)
	}
	msgs := smsTo(env, in.Phone)
	if len(msgs) != 1 || !strings.Contains(msgs[0], env.URL+"/activate/") {
		t.Fatalf("messages = %q, want one activation link", msgs)
	}
	token := strings.Fields(msgs[0][strings.Index(msgs[0], "/activate/")+len("/activate/"):])[0]
	if _, err := env.App.Operator.Activate(ctx, token, "weak", ""); err == nil {
		t.Error("a weak password was accepted")
	}
	id, err := env.App.Operator.Activate(ctx, token, "Maple-Harbor-77", "")
	if err != nil || id != req.Subject {
		t.Fatalf("Activate = %q, %v", id, err)
	}
	if _, err := env.App.Operator.Activate(ctx, token, "Maple-Harbor-78", ""); !errors.Is(err, operator.ErrActivationInvalid) {
		t.Errorf("second use: %v, want activation_invalid", err)
	}
	if res, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: in.Phone, Password: "Maple-Harbor-77"}, flow.Meta{}); err != nil || res.Signed == nil {
		t.Errorf("sign-in after activation: %v", err)
	}
}

// TestCheckFailed: a failed registry check is named on the escalation path.
func TestCheckFailed(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(70, "")
	// Petrova's passport is one the dev simulator lists as invalid.
	in.LastName, in.FirstName, in.MiddleName, in.BirthDate, in.SNILS = "Петрова", "Анна", "Сергеевна", "1990-07-21", "123-456-789 64"
	in.Passport = operator.Passport{Series: "4010", Number: "654321", IssueDate: "2010-08-10", Issuer: "ТП УФМС России", DepartmentCode: "780-012"}
	acc := newAccount(t, env, in.Phone)
	sn := in.SNILS
	p := patchOf(in, &sn)
	p.Personal.Gender = "F"
	if _, err := env.App.Proofing.Update(ctx, acc.ID, p, proofMeta); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Proofing.Submit(ctx, acc.ID, proofMeta); err != nil {
		t.Fatal(err)
	}
	env.Deliver()
	f, err := env.App.Operator.Find(ctx, op, operator.Query{Phone: in.Phone})
	if err != nil || f.Advice != operator.AdviseCheckFailed || !strings.Contains(f.Message, "interior_ministry") {
		t.Errorf("Find = %+v, %v", f, err)
	}
	req, _, err := env.App.Operator.Confirm(ctx, op, "f-1", acc.ID, in.Passport.Number)
	if code := refusal(t, req, err); code != operator.CodeCheckFailed || !strings.Contains(req.Message, "invalid") {
		t.Errorf("confirm = %s %q, want check_failed saying why", code, req.Message)
	}
	req, _, err = env.App.Operator.Register(ctx, op, "f-2", in)
	if code := refusal(t, req, err); code != operator.CodeCheckFailed {
		t.Errorf("register = %s, want check_failed", code)
	}
}

// TestActivationLimited: made-up activation links are refused before any password is hashed,
// and attempts from one address stop at the per-IP limit of secret checks.
func TestActivationLimited(t *testing.T) {
	env := apptest.New(t)
	// The token is looked up first: a made-up link with a weak password is refused for the
	// link, before the password is checked or hashed.
	if _, err := env.App.Operator.Activate(ctx, "made-up", "weak", "198.51.100.1"); !errors.Is(err, operator.ErrActivationInvalid) {
		t.Errorf("made-up link with a weak password: %v, want activation_invalid", err)
	}
	limited := false
	for i := range 70 {
		_, err := env.App.Operator.Activate(ctx, fmt.Sprintf("made-up-%d", i), "Maple-Harbor-77", "203.0.113.9")
		var fe *flow.Error
		switch {
		case errors.As(err, &fe) && fe.Code == "rate_limited":
			limited = true
		case !errors.Is(err, operator.ErrActivationInvalid):
			t.Fatalf("attempt %d: %v, want activation_invalid or rate_limited", i, err)
		}
		if limited {
			break
		}
	}
	if !limited {
		t.Error("70 made-up links from one address were never rate limited")
	}
}

// conflictingAccounts fails CreateAccount with err, as the store reports a write that lost a
// race (a deadlock) or hit a taken identifier; the rest is the real store.
type conflictingAccounts struct {
	account.Store
	err   error
	calls int
}

func (c *conflictingAccounts) CreateAccount(context.Context, *account.Account, account.Password) error {
	c.calls++
	return c.err
}

// TestRegisterConflicts: only a taken identifier (store.ErrTaken) becomes the final refusal
// account_exists. Any other conflict, such as a PostgreSQL deadlock, stays a failure: the
// ledger runs the request again, records it as failed, and a resend under the same id acts.
func TestRegisterConflicts(t *testing.T) {
	env := apptest.New(t)
	op := newOperator(t, env, centerA, staff.Operator)
	svc := *env.App.Operator
	deadlock := &conflictingAccounts{Store: env.App.DB, err: fmt.Errorf("insert contact: %w", fmt.Errorf("%w: 40P01", store.ErrConflict))}
	svc.Accounts = deadlock
	in := citizen(40, operator.ActivationPassword)
	req, _, err := svc.Register(ctx, op, "dl-1", in)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a deadlock: %+v, %v after %d runs; want a failure (the conflict), not a refusal", req, err, deadlock.calls)
	}
	if deadlock.calls < 2 {
		t.Errorf("the ledger ran the request %d times, want it run again after the lost race", deadlock.calls)
	}
	if r, err := env.App.Ledger.Get(ctx, op.ClientID, "dl-1"); err != nil || r.State != ledger.Failed {
		t.Fatalf("ledger entry after the deadlock = %+v, %v; want failed", r, err)
	}
	req, replayed, err := env.App.Operator.Register(ctx, op, "dl-1", in)
	if err != nil || replayed || req.State != ledger.Done {
		t.Fatalf("resend after the deadlock = %+v, %v, %v; want it to act", req, replayed, err)
	}

	taken := &conflictingAccounts{Store: env.App.DB, err: fmt.Errorf("insert contact: %w", fmt.Errorf("%w: contacts_verified_value", store.ErrTaken))}
	svc.Accounts = taken
	req, _, err = svc.Register(ctx, op, "tk-1", citizen(41, operator.ActivationPassword))
	if code := refusal(t, req, err); code != operator.CodeAccountExists || taken.calls != 1 {
		t.Errorf("a taken contact = %s after %d runs, want account_exists at once", code, taken.calls)
	}
}
