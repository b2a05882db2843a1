package partner

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/proofing"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ivanov() Person {
	return Person{SNILS: "112-233-445 95", LastName: "  Иванов ", FirstName: "Иван", MiddleName: "Иванович",
		BirthDate: "1985-03-14", PassportSeries: "45 09", PassportNumber: "123456", Phone: "8 (916) 123-45-67"}
}

func fieldsOf(err error) []string {
	e, ok := err.(*flow.ValidationError)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

func TestNormalizeConfirmation(t *testing.T) {
	p := ivanov()
	if err := normalize("req-1", &p, nil, now); err != nil {
		t.Fatalf("normalize: %v", err)
	}
	want := Person{SNILS: "11223344595", LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович",
		BirthDate: "1985-03-14", PassportSeries: "4509", PassportNumber: "123456", Phone: "+79161234567"}
	if p != want {
		t.Errorf("normalized = %+v, want %+v", p, want)
	}
	p = Person{} // a confirmation carries no gender, birth place or issue date: no errors for them
	got := fieldsOf(normalize("req-1", &p, nil, now))
	wantF := []string{"last_name:required", "first_name:required", "birth_date:required", "snils:required",
		"passport_series:required", "passport_number:required"}
	slices.Sort(got)
	slices.Sort(wantF)
	if !slices.Equal(got, wantF) {
		t.Errorf("empty confirmation: %v, want %v", got, wantF)
	}
	p = Person{SNILS: "112-233-445 96", LastName: "Ivan0v", FirstName: "Иван", BirthDate: "2099-01-01",
		PassportSeries: "45", PassportNumber: "12345x", Phone: "12345"}
	got = fieldsOf(normalize("req-1", &p, nil, now))
	wantF = []string{"snils:snils_checksum", "last_name:invalid_characters", "birth_date:date_in_future",
		"passport_series:series_invalid", "passport_number:number_invalid", "phone:phone_invalid"}
	slices.Sort(got)
	slices.Sort(wantF)
	if !slices.Equal(got, wantF) {
		t.Errorf("bad confirmation: %v, want %v", got, wantF)
	}
	if err := normalize("bad id", &p, nil, now); !errors.Is(err, ledger.ErrInvalidID) {
		t.Errorf("request id with a space: %v", err)
	}
}

func TestNormalizeRegistration(t *testing.T) {
	r := Registration{Person: ivanov(), Gender: "m", BirthPlace: "г. Москва", PassportIssueDate: "2005-04-02",
		PassportIssuer: "ОВД", PassportDepartmentCode: "770001", Email: " Ivan@Example.RU "}
	if err := normalize("r", &r.Person, &r, now); err != nil {
		t.Fatalf("normalize: %v", err)
	}
	if r.Gender != "M" || r.PassportDepartmentCode != "770-001" || r.Email != "ivan@example.ru" || r.SNILS != "11223344595" {
		t.Errorf("normalized = %+v", r)
	}
	r = Registration{Person: ivanov(), Gender: "x", PassportIssueDate: "1990-01-01", PassportDepartmentCode: "77"}
	r.Phone = ""
	got := fieldsOf(normalize("r", &r.Person, &r, now))
	want := []string{"gender:invalid_choice", "birth_place:required", "passport_issue_date:date_too_early",
		"passport_issuer:required", "passport_department_code:department_code_invalid", "phone:required"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("bad registration: %v, want %v", got, want)
	}
}

func TestCompare(t *testing.T) {
	personal := proofing.Personal{LastName: "Фёдорова", FirstName: "Алёна", MiddleName: "Петровна", BirthDate: "1979-11-02"}
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: "4603", Number: "112233"}
	prof := &proofing.Profile{}
	prof.Personal.Verified, prof.IDDoc.Verified = &personal, &doc
	acc := &account.Account{Contacts: []account.Contact{{Kind: account.Email, Value: "a@b.ru", Verified: true},
		{Kind: account.Phone, Value: "+79160000001", Verified: true}}}
	same := Person{LastName: "ФЕДОРОВА", FirstName: "алена", MiddleName: "Петровна", BirthDate: "1979-11-02",
		PassportSeries: "4603", PassportNumber: "112233", Phone: "+79160000001"}
	if d := compare(same, acc, prof); len(d) != 0 {
		t.Errorf("same person differs in %v", d)
	}
	same.Phone = ""
	if d := compare(same, acc, prof); len(d) != 0 {
		t.Errorf("same person without a phone differs in %v", d)
	}
	for field, change := range map[string]func(*Person){
		"last_name":       func(p *Person) { p.LastName = "Федорова-Петрова" },
		"first_name":      func(p *Person) { p.FirstName = "Алина" },
		"middle_name":     func(p *Person) { p.MiddleName = "" },
		"birth_date":      func(p *Person) { p.BirthDate = "1979-11-03" },
		"passport_series": func(p *Person) { p.PassportSeries = "4604" },
		"passport_number": func(p *Person) { p.PassportNumber = "112234" },
		"phone":           func(p *Person) { p.Phone = "+79160000002" },
	} {
		p := same
		change(&p)
		d := compare(p, acc, prof)
		if len(d) != 1 || d[0].Field != field || d[0].Code != "mismatch" {
			t.Errorf("%s changed: differences %v", field, d)
		}
	}
	if foldName("Салтыков - Щедрин") != foldName("салтыков-щедрин") || foldName("Д’Артаньян") != foldName("Д'артаньян") {
		t.Error("names that differ only in spacing, case or apostrophes should compare equal")
	}
}
