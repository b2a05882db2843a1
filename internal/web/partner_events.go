package web

import (
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/partner"
)

// bankEventWords tells the events of partner banks in words naming the bank: a confirmation
// of identity and a registration. ok is false for other events.
func bankEventWords(v *view, e *audit.Event) (action, actor string, ok bool) {
	var id string
	switch {
	case e.Action == partner.ActionLevelRaised && e.Details["method"] == partner.Method && e.Details["bank_name"] != "":
		id = "account_event_bank_confirmed"
	case e.Action == operator.ActionEnrolledByBank && e.Details["bank_name"] != "":
		id = "account_event_bank_enrolled"
	default:
		return "", "", false
	}
	bank := e.Details["bank_name"]
	return v.T(id, "Bank", bank, "Date", v.day(e.CreatedAt)), v.T("account_actor_bank", "Bank", bank), true
}
