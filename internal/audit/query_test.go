package audit

import (
	"strings"
	"testing"
	"time"
)

func TestCategoryOf(t *testing.T) {
	for _, tc := range []struct {
		action, actor string
		want          Category
	}{
		{"login.succeeded", "self", CatSignIn},
		{"logout", "self", CatSignIn},
		{"password.recovered", "self", CatPassword},
		{"recovery.started", "self", CatPassword},
		{"contact.changed", "self", CatContact},
		{"mfa.totp_enabled", "self", CatSecondFactor},
		{"profile.verified", "system", CatData},
		{"account.level_raised", "system", CatData},
		{"data.released", "client:tax", CatReleased},
		{"account.deleted", "self", CatAccount},
		{"account.restored", "operator:42", CatOperator},
		{"bank.enrolled", "client:bank", CatData},
		{"letter.sent", "system", CatData},
		{"operator.search", "system", CatOperator},
		{"staff.assigned", "admin", CatOperator},
		{"something.new", "self", ""},
	} {
		if got := CategoryOf(&Event{Action: tc.action, Actor: tc.actor}); got != tc.want {
			t.Errorf("CategoryOf(%s by %s) got %q, want %q", tc.action, tc.actor, got, tc.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := WriteCSV(&b, []*Event{
		{Action: "login.failed", Actor: "self", IP: "203.0.113.7", CreatedAt: at, Details: map[string]string{"method": "pwd"}},
		{Action: "data.released", Actor: "client:=HYPERLINK(1)", CreatedAt: at, Details: map[string]string{"claims": "a,b", "client_id": "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "time,category,action,actor,ip,details\n" +
		"2026-11-23T10:00:00Z,sign_in,login.failed,self,203.0.113.7,method=pwd\n" +
		"2026-11-23T10:00:00Z,released,data.released,client:=HYPERLINK(1),,\"claims=a,b; client_id=x\"\n"
	if b.String() != want {
		t.Errorf("WriteCSV got\n%s\nwant\n%s", b.String(), want)
	}
	var f strings.Builder
	_ = WriteCSV(&f, []*Event{{Action: "=cmd", Actor: "self", CreatedAt: at}})
	if !strings.Contains(f.String(), ",'=cmd,") {
		t.Errorf("a formula is not defused: %q", f.String())
	}
}
