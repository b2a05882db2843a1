package partner

import (
	"errors"
	"testing"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
)

func TestExisting(t *testing.T) {
	opRefusal := &ledger.Rejection{Code: operator.CodeChecksRunning, Status: 409, Message: "operator's"}
	active := func(by string, level account.Level) operator.Match {
		return operator.Match{By: by, AccountID: by + "-acc", Level: level, Verified: true}
	}
	deleted := func(m operator.Match) operator.Match { m.Deleted = true; return m }
	typed := func(m operator.Match) operator.Match { m.Verified = false; return m }
	tests := []struct {
		name      string
		matches   []operator.Match
		wantCode  string
		wantField string
	}{
		{"SNILS before the phone", []operator.Match{active(operator.BySNILS, account.Simplified),
			active(operator.ByPhone, account.Simplified)}, CodeExists, ""},
		{"deleted SNILS: the phone below standard", []operator.Match{deleted(active(operator.BySNILS, account.Standard)),
			active(operator.ByPhone, account.Simplified)}, CodeNotStandard, ""},
		{"SNILS typed at enrollment only", []operator.Match{typed(active(operator.BySNILS, account.Confirmed))},
			operator.CodeChecksRunning, ""},
		{"phone of a standard account", []operator.Match{active(operator.ByPassport, account.Confirmed),
			active(operator.ByPhone, account.Standard)}, CodeContactTaken, "phone"},
		{"phone below standard before the email", []operator.Match{active(operator.ByPhone, account.Simplified),
			active(operator.ByEmail, account.Confirmed)}, CodeNotStandard, ""},
		{"deleted phone: the email", []operator.Match{deleted(active(operator.ByPhone, account.Simplified)),
			active(operator.ByEmail, account.Simplified)}, CodeContactTaken, "email"},
		{"passport only", []operator.Match{active(operator.ByPassport, account.Confirmed)},
			operator.CodeChecksRunning, ""},
		{"deleted only", []operator.Match{deleted(active(operator.ByEmail, account.Standard))},
			operator.CodeChecksRunning, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := existing(&operator.ExistsError{Matches: tt.matches, Refusal: opRefusal})
			var rej *ledger.Rejection
			if !errors.As(err, &rej) {
				t.Fatalf("existing = %v, want a *ledger.Rejection", err)
			}
			if rej.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", rej.Code, tt.wantCode)
			}
			fields, _ := rej.Detail.([]FieldError)
			if tt.wantField == "" && len(fields) != 0 || tt.wantField != "" && (len(fields) != 1 ||
				fields[0].Field != tt.wantField || fields[0].Code != "taken") {
				t.Errorf("fields = %v, want %q taken", fields, tt.wantField)
			}
		})
	}
	other := errors.New("boom")
	if err := existing(other); err != other {
		t.Errorf("existing(other error) = %v, want it unchanged", err)
	}
}
