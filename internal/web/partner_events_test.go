package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/partner"
)

// TestBankEventsInLog: the event log names the bank that confirmed the identity or
// registered the account, in either language.
func TestBankEventsInLog(t *testing.T) {
	env := apptest.New(t)
	id := careCitizen(t, env, "+79161234567")
	ctx := context.Background()
	for _, e := range []audit.Event{
		{AccountID: id, Action: operator.ActionEnrolledByBank, Actor: "client:bank-1",
			Details: map[string]string{"bank_id": "bank-1", "bank_name": "Банк Пример", "request_id": "r-1"}},
		{AccountID: id, Action: partner.ActionLevelRaised, Actor: "client:bank-1",
			Details: map[string]string{"from": "standard", "to": "confirmed", "method": partner.Method,
				"bank_id": "bank-1", "bank_name": "Банк Пример", "request_id": "r-2"}},
	} {
		if err := env.App.Audit.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	ru, en := newClient(t, env.URL, "ru"), newClient(t, env.URL, "en")
	signInPage(t, ru, "+79161234567", carePass)
	signInPage(t, en, "+79161234567", carePass)
	checkPage(t, ru.get("/account/events"), http.StatusOK, "Личность подтверждена банком «Банк Пример»",
		"Учётная запись зарегистрирована банком «Банк Пример»", "Банк «Банк Пример»")
	checkPage(t, en.get("/account/events"), http.StatusOK, "Identity confirmed by “Банк Пример”",
		"Account registered by “Банк Пример”", "Bank “Банк Пример”")
}
