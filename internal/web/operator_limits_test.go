package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/staff"
)

// TestOperatorSearchLimit: past the operator's searches in the window, the workstation shows
// the search form again with how long to wait (429 with Retry-After) and searches nothing.
func TestOperatorSearchLimit(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	env.App.Operator.Config.Limits.SearchPerOperator.Max = 2
	op := newStaffer(t, env, "+79163330019", centerA, staff.Operator, true)
	op.signInTOTP(t, clk)
	for range 2 {
		checkPage(t, op.search(t, "snils", "11223344595", "проверка"), http.StatusOK, "Учётная запись не найдена")
	}
	res := op.search(t, "snils", "11223344595", "проверка")
	checkPage(t, res, http.StatusTooManyRequests, `role="alert"`, "Слишком много попыток. Повторите через", `id="op-value"`)
	if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs <= 0 || secs > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", res.header.Get("Retry-After"))
	}
}

// TestOperatorRegisterLimit: past the center's registrations in the window, the register form
// comes back with how long to wait (429), and the citizen gets no message.
func TestOperatorRegisterLimit(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	env.App.Operator.Config.Limits.SendPerCenter.Max = 1
	op := newStaffer(t, env, "+79163330029", centerA, staff.Operator, true)
	op.signInTOTP(t, clk)
	first := operator.RegisterInput{LastName: "Фёдорова", FirstName: "Алёна", Phone: "+79163330002", Gender: "female",
		BirthDate: "1979-11-02", BirthPlace: "г. Москва", Citizenship: "RUS", SNILS: "23456789099",
		Passport: operator.Passport{Series: "4603", Number: "112233", IssueDate: "2024-11-15", Issuer: "ГУ МВД",
			DepartmentCode: "500-104"}}
	a := operator.Actor{OperatorID: op.id, CenterID: centerA, ClientID: "workstation"}
	if req, _, err := env.App.Operator.Register(context.Background(), a, "ws-first", first); err != nil || req.State != ledger.Done {
		t.Fatalf("first registration: %+v, %v", req, err)
	}
	res := op.c.post("/operator/register", ivanovForm(formRequestID(t, op.c.get("/operator/register").body)))
	checkPage(t, res, http.StatusTooManyRequests, `id="register-form"`, "Слишком много попыток. Повторите через")
	if msgs := env.Messages("+79163330001"); len(msgs) != 0 {
		t.Errorf("the refused registration sent %d messages", len(msgs))
	}
}
