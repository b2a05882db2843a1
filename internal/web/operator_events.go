package web

import (
	"context"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/staff"
)

// staffEvents are the audit actions of service-center staff that the event log tells in
// words naming the center, by message id without the account_event_ prefix.
var staffEvents = map[string]string{
	operator.ActionSearch:           "operator_search",
	operator.ActionRegistered:       "operator_registered",
	operator.ActionConfirmed:        "operator_confirmed",
	operator.ActionRestored:         "operator_restored",
	operator.ActionDuplicateRemoved: "operator_duplicate_removed",
	staff.ActionAssigned:            "staff_assigned",
	staff.ActionRemoved:             "staff_removed",
}

// eventWords says what an event is: the staff's actions with their center, date and reason
// (on the staff member's own chain, as what they did), the rest as actionWords.
func (h *Handler) eventWords(ctx context.Context, v *view, e *audit.Event) string {
	id, ok := staffEvents[e.Action]
	if !ok {
		return actionWords(v, e.Action)
	}
	d := e.Details
	center := d[operator.DetailCenterName]
	if center == "" {
		center = h.centerName(ctx, d[operator.DetailCenterID])
	}
	switch {
	case strings.HasPrefix(id, "operator_") && d[operator.DetailOperatorID] == e.AccountID:
		id = "own_" + id // the operator's own record of what they did
	case e.Action == operator.ActionRestored:
		id += restoredWhat(d["changed"])
	}
	if e.Action == operator.ActionSearch && d[operator.DetailReason] == "" {
		id += "_noreason"
	}
	return v.T("account_event_"+id, "Center", center, "Reason", d[operator.DetailReason], "Date", v.day(e.CreatedAt))
}

// restoredWhat picks the words of a restored access by what changed: the password, the
// contacts, or both.
func restoredWhat(changed string) string {
	pw := strings.Contains(changed, "password")
	contacts := strings.Contains(changed, "phone") || strings.Contains(changed, "email")
	switch {
	case pw && contacts:
		return "_both"
	case contacts:
		return "_contacts"
	}
	return ""
}

// day formats the date of t for the citizen.
func (v *view) day(t time.Time) string {
	if v.Lang == "en" {
		return t.Local().Format("2 Jan 2006")
	}
	return t.Local().Format("02.01.2006")
}
