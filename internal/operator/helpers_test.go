package operator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/staff"
)

const (
	centerA = "demo-tverskaya"
	centerB = "demo-arbat"
)

var ctx = context.Background()

// newAccount creates an active simplified account with a verified phone.
func newAccount(t testing.TB, env *apptest.Env, phone string) *account.Account {
	t.Helper()
	now := time.Now().UTC()
	acc := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
		LastName: "Иванов", FirstName: "Иван", Locale: "ru", CreatedAt: now, UpdatedAt: now}
	if phone != "" {
		acc.Contacts = []account.Contact{{ID: uuid.Must(uuid.NewV7()).String(), Kind: account.Phone, Value: phone,
			Verified: true, CreatedAt: now}}
	}
	hash, err := env.App.Hasher.Hash(ctx, "Zebra-Castle-42")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.CreateAccount(ctx, acc, account.Password{Hash: hash, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return acc
}

// newOperator creates an account that is staff at center in role.
func newOperator(t *testing.T, env *apptest.Env, center string, role staff.Role) operator.Actor {
	t.Helper()
	acc := newAccount(t, env, "")
	if _, err := env.App.Staff.Assign(ctx, nil, acc.ID, center, role); err != nil {
		t.Fatal(err)
	}
	return operator.Actor{OperatorID: acc.ID, CenterID: center, ClientID: "workstation", Reason: "citizen at the desk"}
}

// snils makes the i-th valid SNILS.
func snils(i int) string {
	base := fmt.Sprintf("%09d", 123000000+i*7919)
	sum := 0
	for k, c := range base {
		sum += int(c-'0') * (9 - k)
	}
	s := fmt.Sprintf("%s%02d", base, (sum%101)%100)
	if _, err := ident.NormalizeSNILS(s); err != nil {
		panic(err)
	}
	return s
}

// citizen is the i-th citizen's registration, whom the dev simulator verifies.
func citizen(i int, activation string) operator.RegisterInput {
	return operator.RegisterInput{LastName: "Сидоров", FirstName: "Пётр", MiddleName: "Ильич",
		Phone: fmt.Sprintf("+7916777%04d", i), Gender: "male", BirthDate: "1985-05-06", BirthPlace: "г. Тула",
		Citizenship: "RUS", SNILS: snils(i),
		Passport: operator.Passport{Series: "7003", Number: fmt.Sprintf("%06d", 300000+i), IssueDate: "2005-06-01",
			Issuer: "ОВД г. Тулы", DepartmentCode: "710-001"},
		Activation: activation}
}

// standardAccount makes a self-registered account standard: profile, checks, verified.
func standardAccount(t *testing.T, env *apptest.Env, i int) (*account.Account, operator.RegisterInput) {
	t.Helper()
	in := citizen(i, "")
	acc := newAccount(t, env, in.Phone)
	per := proofing.Personal{LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName, Gender: "M",
		BirthDate: proofing.Date(in.BirthDate), BirthPlace: in.BirthPlace, Citizenship: "RUS"}
	sn := in.SNILS
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: in.Passport.Series, Number: in.Passport.Number,
		IssueDate: proofing.Date(in.Passport.IssueDate), Issuer: in.Passport.Issuer, DepartmentCode: in.Passport.DepartmentCode}
	if _, err := env.App.Proofing.Update(ctx, acc.ID, proofing.Patch{Personal: &per, SNILS: &sn, IDDoc: &doc}, proofing.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Proofing.Submit(ctx, acc.ID, proofing.Meta{}); err != nil {
		t.Fatal(err)
	}
	env.Deliver()
	got := getAccount(t, env, acc.ID)
	if got.Level != account.Standard {
		t.Fatalf("account is %s after the checks, want standard", got.Level)
	}
	return got, in
}

func getAccount(t *testing.T, env *apptest.Env, id string) *account.Account {
	t.Helper()
	acc, err := env.App.DB.GetAccount(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// refusal returns the code of a refused request (or of a rejection error).
func refusal(t *testing.T, req *ledger.Request, err error) string {
	t.Helper()
	var rej *ledger.Rejection
	if errors.As(err, &rej) {
		return rej.Code
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if req.State != ledger.Rejected {
		return "ok"
	}
	return req.Code
}

// smsTo returns the bodies of the messages to phone, newest first, except the results of
// registry checks.
func smsTo(env *apptest.Env, phone string) []string {
	var out []string
	for _, m := range env.Messages(phone) {
		if !strings.Contains(m.Body, "данные проверены") {
			out = append(out, m.Body)
		}
	}
	return out
}

// events returns the newest event of each action on the account's audit chain, with its
// details and actor.
func events(t *testing.T, env *apptest.Env, accountID string) map[string]map[string]string {
	t.Helper()
	evs, err := env.App.DB.AccountEvents(ctx, accountID, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for i := len(evs) - 1; i >= 0; i-- { // newest first: the newest of each action wins
		e := evs[i]
		d := map[string]string{"actor": e.Actor}
		for k, v := range e.Details {
			d[k] = v
		}
		out[e.Action] = d
	}
	return out
}

// tempPassword reads the temporary password out of a message.
func tempPassword(body string) string {
	_, after, ok := strings.Cut(body, "пароль: ")
	if !ok {
		return ""
	}
	pw, _, _ := strings.Cut(after, " ")
	return pw
}

var (
	proofMeta   = proofing.Meta{}
	sessionMeta = session.Meta{}
)

// patchOf is the profile patch of a registration's data, with sn as its SNILS.
func patchOf(in operator.RegisterInput, sn *string) proofing.Patch {
	per := proofing.Personal{LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName, Gender: "M",
		BirthDate: proofing.Date(in.BirthDate), BirthPlace: in.BirthPlace, Citizenship: "RUS"}
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: in.Passport.Series, Number: in.Passport.Number,
		IssueDate: proofing.Date(in.Passport.IssueDate), Issuer: in.Passport.Issuer, DepartmentCode: in.Passport.DepartmentCode}
	return proofing.Patch{Personal: &per, SNILS: sn, IDDoc: &doc}
}
