package registry

import (
	"context"
	"testing"
	"time"
)

func TestSimulatorSNILS(t *testing.T) {
	s := newSim(t, SimulatorConfig{})
	tests := []struct {
		name  string
		p     Person
		snils string
		want  Result
		err   string
	}{
		{"verified", ivanov, "112-233-445 95", Result{Outcome: Verified}, ""},
		{"digits only", ivanov, "11223344595", Result{Outcome: Verified}, ""},
		{"case and ё", with(fedorova, func(p *Person) { p.LastName, p.FirstName = "ФЕДОРОВА", "алена" }), "234-567-890 99", Result{Outcome: Verified}, ""},
		{"extra spaces", with(ivanov, func(p *Person) { p.MiddleName = " Иванович  " }), "112-233-445 95", Result{Outcome: Verified}, ""},
		{"no middle name", sidorov, "345-678-901 23", Result{Outcome: Verified}, ""},
		{"birth date in another zone", with(ivanov, func(p *Person) { p.BirthDate = time.Date(1985, 3, 14, 23, 0, 0, 0, time.FixedZone("MSK", 3*3600)) }), "112-233-445 95", Result{Outcome: Verified}, ""},
		{"last name differs", with(ivanov, func(p *Person) { p.LastName = "Иваненко" }), "112-233-445 95", notVerified(ReasonNameMismatch), ""},
		{"middle name missing", with(ivanov, func(p *Person) { p.MiddleName = "" }), "112-233-445 95", notVerified(ReasonNameMismatch), ""},
		{"name and date differ", with(ivanov, func(p *Person) { p.FirstName, p.BirthDate = "Пётр", date(1985, 3, 15) }), "112-233-445 95", notVerified(ReasonNameMismatch), ""},
		{"birth date differs", with(ivanov, func(p *Person) { p.BirthDate = date(1985, 3, 15) }), "112-233-445 95", notVerified(ReasonBirthDateMismatch), ""},
		{"gender not compared", with(ivanov, func(p *Person) { p.Gender = "F" }), "112-233-445 95", Result{Outcome: Verified}, ""},
		{"not found", ivanov, "987-654-321 83", notVerified(ReasonNotFound), ""},
		{"bad checksum", ivanov, "112-233-445 96", Result{}, "rejected"},
		{"bad shape", ivanov, "112-233", Result{}, "rejected"},
		{"no last name", with(ivanov, func(p *Person) { p.LastName = " " }), "112-233-445 95", Result{}, "rejected"},
		{"no birth date", with(ivanov, func(p *Person) { p.BirthDate = time.Time{} }), "112-233-445 95", Result{}, "rejected"},
		{"bad gender", with(ivanov, func(p *Person) { p.Gender = "X" }), "112-233-445 95", Result{}, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CheckSNILS(context.Background(), tt.p, tt.snils)
			if errKind(err) != tt.err || got != tt.want {
				t.Errorf("CheckSNILS(%q) = %+v, %v; want %+v, %s", tt.snils, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestSimulatorDocument(t *testing.T) {
	s := newSim(t, SimulatorConfig{})
	petrovaPassport := Document{Type: TypeRFPassport, Series: "4010", Number: "654321", IssueDate: date(2010, 8, 10), DivisionCode: "780-012"}
	smithPassport := Document{Type: TypeForeignPassport, Number: "123456789", Country: "GBR"}
	change := func(d Document, fn func(*Document)) Document { fn(&d); return d }
	tests := []struct {
		name string
		p    Person
		d    Document
		want Result
		err  string
	}{
		{"verified", ivanov, ivanovPassport, Result{Outcome: Verified}, ""},
		{"loose shapes", ivanov, Document{Type: " rf_passport", Series: "45 09", Number: "123 456", IssueDate: ivanovPassport.IssueDate, DivisionCode: "770001"}, Result{Outcome: Verified}, ""},
		{"no division code", ivanov, change(ivanovPassport, func(d *Document) { d.DivisionCode = "" }), Result{Outcome: Verified}, ""},
		{"invalid passport", petrova, petrovaPassport, notVerified(ReasonDocumentInvalid), ""},
		{"issue date differs", ivanov, change(ivanovPassport, func(d *Document) { d.IssueDate = date(2005, 4, 3) }), notVerified(ReasonDocumentMismatch), ""},
		{"division code differs", ivanov, change(ivanovPassport, func(d *Document) { d.DivisionCode = "770-002" }), notVerified(ReasonDocumentMismatch), ""},
		{"someone else's passport", petrova, ivanovPassport, notVerified(ReasonNameMismatch), ""},
		{"birth date differs", with(ivanov, func(p *Person) { p.BirthDate = date(1986, 3, 14) }), ivanovPassport, notVerified(ReasonBirthDateMismatch), ""},
		{"not found", ivanov, change(ivanovPassport, func(d *Document) { d.Number = "123457" }), notVerified(ReasonNotFound), ""},
		{"foreign verified", smith, smithPassport, Result{Outcome: Verified}, ""},
		{"foreign lower case", with(smith, func(p *Person) { p.LastName = "SMITH" }), change(smithPassport, func(d *Document) { d.Country = "gbr" }), Result{Outcome: Verified}, ""},
		{"foreign other country", smith, change(smithPassport, func(d *Document) { d.Country = "USA" }), notVerified(ReasonNotFound), ""},
		{"bad series", ivanov, change(ivanovPassport, func(d *Document) { d.Series = "450" }), Result{}, "rejected"},
		{"unknown type", ivanov, change(ivanovPassport, func(d *Document) { d.Type = "MLTR_ID" }), Result{}, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CheckDocument(context.Background(), tt.p, tt.d)
			if errKind(err) != tt.err || got != tt.want {
				t.Errorf("CheckDocument(%+v) = %+v, %v; want %+v, %s", tt.d, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestSimulatorINN(t *testing.T) {
	s := newSim(t, SimulatorConfig{})
	tests := []struct {
		name string
		p    Person
		inn  string
		want Result
		err  string
	}{
		{"verified", ivanov, "770123456703", Result{Outcome: Verified, INN: "770123456703"}, ""},
		{"spaces", ivanov, " 770123456703 ", Result{Outcome: Verified, INN: "770123456703"}, ""},
		{"filled in", ivanov, "", Result{Outcome: Verified, INN: "770123456703"}, ""},
		{"filled in, ё", with(fedorova, func(p *Person) { p.LastName = "Федорова" }), "", Result{Outcome: Verified, INN: "500100732259"}, ""},
		{"someone else's", petrova, "770123456703", notVerified(ReasonNameMismatch), ""},
		{"birth date differs", with(ivanov, func(p *Person) { p.BirthDate = date(1985, 4, 14) }), "770123456703", notVerified(ReasonBirthDateMismatch), ""},
		{"unknown inn", ivanov, "123456789047", notVerified(ReasonNotFound), ""},
		{"person without inn", sidorov, "", notVerified(ReasonNotFound), ""},
		{"unknown person", stranger, "", notVerified(ReasonNotFound), ""},
		{"bad checksum", ivanov, "770123456704", Result{}, "rejected"},
		{"legal entity inn", ivanov, "7707083893", Result{}, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CheckINN(context.Background(), tt.p, tt.inn)
			if errKind(err) != tt.err || got != tt.want {
				t.Errorf("CheckINN(%q) = %+v, %v; want %+v, %s", tt.inn, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestSimulatorRegistries(t *testing.T) {
	s := newSim(t, SimulatorConfig{})
	r := s.Registries()
	if r.SNILS != s || r.Document != s || r.INN != s {
		t.Errorf("Registries() = %+v, want the simulator three times", r)
	}
}
