package proofing_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
)

func TestPatchValidation(t *testing.T) {
	now := t0
	for _, tc := range []struct {
		name string
		edit func(p *proofing.Patch)
		want []string
	}{
		{"valid", func(*proofing.Patch) {}, nil},
		{"snils checksum", func(p *proofing.Patch) { p.SNILS = ptr("112-233-445 96") }, []string{"snils:snils_checksum"}},
		{"snils shape", func(p *proofing.Patch) { p.SNILS = ptr("1122334459") }, []string{"snils:snils_invalid"}},
		{"snils empty", func(p *proofing.Patch) { p.SNILS = ptr(" ") }, []string{"snils:required"}},
		{"inn checksum", func(p *proofing.Patch) { p.INN = ptr("500100732258") }, []string{"inn:inn_checksum"}},
		{"inn of a company", func(p *proofing.Patch) { p.INN = ptr("7707083893") }, []string{"inn:inn_invalid"}},
		{"names", func(p *proofing.Patch) {
			p.Personal.LastName, p.Personal.FirstName, p.Personal.MiddleName = "", "Ivan1", "---"
		}, []string{"personal.last_name:required", "personal.first_name:invalid_characters", "personal.middle_name:invalid_characters"}},
		{"gender and citizenship", func(p *proofing.Patch) { p.Personal.Gender, p.Personal.Citizenship = "X", "RU" },
			[]string{"personal.gender:invalid_choice", "personal.citizenship:country_invalid"}},
		{"birth date", func(p *proofing.Patch) { p.Personal.BirthDate = "14.03.1985" }, []string{"personal.birth_date:date_invalid"}},
		{"born in the future", func(p *proofing.Patch) { p.Personal.BirthDate = "2027-01-01" }, []string{"personal.birth_date:date_in_future"}},
		{"too young", func(p *proofing.Patch) { p.Personal.BirthDate = "2015-01-01" }, []string{"personal.birth_date:too_young"}},
		{"birth place", func(p *proofing.Patch) { p.Personal.BirthPlace = "" }, []string{"personal.birth_place:required"}},
		{"passport shape", func(p *proofing.Patch) {
			p.IDDoc.Series, p.IDDoc.Number, p.IDDoc.DepartmentCode, p.IDDoc.Issuer = "45AB", "12345", "77-001", ""
		}, []string{"id_doc.series:series_invalid", "id_doc.number:number_invalid", "id_doc.issuer:required", "id_doc.department_code:department_code_invalid"}},
		{"passport dates", func(p *proofing.Patch) { p.IDDoc.IssueDate, p.IDDoc.ExpiryDate = "1996-01-01", "2030-01-01" },
			[]string{"id_doc.issue_date:date_too_early", "id_doc.expiry_date:not_applicable"}},
		{"document type", func(p *proofing.Patch) { p.IDDoc.Type = "PASSPORT" }, []string{"id_doc.type:invalid_choice"}},
		{"foreign passport", func(p *proofing.Patch) {
			*p.IDDoc = proofing.IDDocument{Type: "FRGN_PASS", Series: "AB", Number: "X1", Country: "RUS",
				IssueDate: "2020-01-01", ExpiryDate: "2021-01-01"}
		}, []string{"id_doc.series:not_applicable", "id_doc.number:number_invalid", "id_doc.country:country_invalid",
			"id_doc.expiry_date:document_expired"}},
		{"foreign passport of no country", func(p *proofing.Patch) {
			*p.IDDoc = proofing.IDDocument{Type: "FRGN_PASS", Number: "X1234567", Country: "XXX", IssueDate: "2020-01-01", ExpiryDate: "2030-01-01"}
		}, []string{"id_doc.country:country_invalid"}},
		{"driving licence", func(p *proofing.Patch) {
			p.DriversLicence = &proofing.DriversLicence{Series: "77QQ", Number: "12345", IssueDate: "2020-01-01", ExpiryDate: "2019-01-01"}
		}, []string{"drivers_licence.series:series_invalid", "drivers_licence.number:number_invalid", "drivers_licence.expiry_date:expiry_before_issue"}},
		{"medical policy", func(p *proofing.Patch) { p.MedicalPolicy = &proofing.MedicalPolicy{Number: "123456789012345"} },
			[]string{"medical_policy.number:number_invalid"}},
		{"international passport", func(p *proofing.Patch) {
			p.InternationalPassport = &proofing.InternationalPassport{Series: "751", Number: "1234567", IssueDate: "2020-01-01", ExpiryDate: "2030-01-01"}
		}, []string{"international_passport.series:series_invalid"}},
		{"military id", func(p *proofing.Patch) {
			p.MilitaryID = &proofing.MilitaryID{Series: "A1", Number: "1234567", IssueDate: "2005-01-01"}
		}, []string{"military_id.series:series_invalid"}},
		{"vehicles", func(p *proofing.Patch) {
			p.Vehicles = &[]proofing.Vehicle{{Plate: "А123ВС77", RegCertSeries: "7701", RegCertNumber: "123456"},
				{Plate: "a123bc77", RegCertSeries: "77", RegCertNumber: "1"}, {Plate: "Б123ВС77", RegCertSeries: "77АБ", RegCertNumber: "123456"}}
		}, []string{"vehicles[1].plate:duplicate", "vehicles[1].reg_cert_series:series_invalid",
			"vehicles[1].reg_cert_number:number_invalid", "vehicles[2].plate:plate_invalid"}},
		{"too many vehicles", func(p *proofing.Patch) { p.Vehicles = ptr(make([]proofing.Vehicle, 21)) }, []string{"vehicles:too_many"}},
		{"address", func(p *proofing.Patch) {
			p.RegistrationAddress = &proofing.Address{ZipCode: "1234", Region: "Москва", House: "1"}
		}, []string{"registration_address.zip_code:zip_code_invalid", "registration_address.city:required"}},
		{"unknown item to clear", func(p *proofing.Patch) { p.Clear = []proofing.Item{"passport"} }, []string{"passport:unknown_field"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fullPatch()
			tc.edit(&p)
			err := p.Normalize(now)
			if got := fieldCodes(err); !cmp.Equal(got, tc.want) {
				t.Errorf("Normalize: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPatchNormalizes(t *testing.T) {
	p := proofing.Patch{
		SNILS: ptr(" 112 233 445 95 "), INN: ptr("500100732259"),
		IDDoc: &proofing.IDDocument{Type: "rf_passport", Series: "45 09", Number: "123 456", IssueDate: "2005-04-02",
			Issuer: "  ОВД   Тверского района ", DepartmentCode: "770001"},
		Personal:            &proofing.Personal{LastName: " Иванов ", FirstName: "Иван", Gender: "m", BirthDate: "1985-03-14", BirthPlace: "Москва", Citizenship: "rus"},
		Vehicles:            &[]proofing.Vehicle{{Plate: "a 123 bc 777", RegCertSeries: "77 ab", RegCertNumber: "123456"}},
		RegistrationAddress: &proofing.Address{ZipCode: "101000", Region: "Москва", City: "Москва", House: "1"},
	}
	if err := p.Normalize(t0); err != nil {
		t.Fatalf("Normalize: %v", fieldCodes(err))
	}
	want := []string{"11223344595", "4509", "123456", "ОВД Тверского района", "770-001", "Иванов", "M", "RUS",
		"А123ВС777", "77АВ", "RUS"}
	got := []string{*p.SNILS, p.IDDoc.Series, p.IDDoc.Number, p.IDDoc.Issuer, p.IDDoc.DepartmentCode,
		p.Personal.LastName, p.Personal.Gender, p.Personal.Citizenship,
		(*p.Vehicles)[0].Plate, (*p.Vehicles)[0].RegCertSeries, p.RegistrationAddress.Country}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("normalized values (-want +got):\n%s", diff)
	}
}

// TestClaims: RPs get verified values only, documents no registry checks carry
// verified: false, and nothing at all before verification.
func TestClaims(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a := e.newAccount(account.Simplified)
	p := fullPatch()
	p.DriversLicence = &proofing.DriversLicence{Series: "7701", Number: "123456", IssueDate: "2020-01-01", ExpiryDate: "2030-01-01"}
	p.Vehicles = &[]proofing.Vehicle{{Plate: "А123ВС77", RegCertSeries: "7701", RegCertNumber: "654321"}}
	p.ActualAddress = &proofing.Address{ZipCode: "101000", Region: "Москва", City: "Москва", Street: "ул. Тверская", House: "1", Flat: "5"}
	e.fill(a.ID, p)
	claims := func() map[string]any {
		c, err := e.svc.ClaimsFor(context.Background(), a.ID, proofing.Scopes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := claims()
	for _, k := range []string{"birthdate", "gender", "birthplace", "snils", "inn", "id_doc"} {
		if _, ok := before[k]; ok {
			t.Errorf("claim %s released before verification: %v", k, before[k])
		}
	}
	if dl := before["drivers_licence_doc"].(map[string]any); dl["verified"] != false || dl["number"] != "123456" {
		t.Errorf("drivers_licence_doc = %v", dl)
	}
	e.submit(a.ID)
	e.run()
	got := claims()
	want := map[string]any{
		"birthdate": "1985-03-14", "gender": "male", "birthplace": "г. Москва", "snils": "112-233-445 95", "inn": "500100732259",
		"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": "123456", "issue_date": "2005-04-02",
			"issuer": "ОВД Тверского района г. Москвы", "department_code": "770-001", "citizenship": "RUS", "verified": true},
		"address": map[string]any{"actual": map[string]any{"formatted": "101000, Москва, Москва, ул. Тверская, 1, кв. 5",
			"country": "RUS", "region": "Москва", "locality": "Москва", "postal_code": "101000", "street": "ул. Тверская",
			"house": "1", "flat": "5", "verified": false}},
		"drivers_licence_doc": map[string]any{"series": "7701", "number": "123456", "issue_date": "2020-01-01",
			"expiry_date": "2030-01-01", "verified": false},
		"vehicles": []map[string]any{{"plate": "А123ВС77", "reg_cert_series": "7701", "reg_cert_number": "654321", "verified": false}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if c, err := e.svc.Claims(context.Background(), a.ID, "medical_doc"); err != nil || len(c) != 0 {
		t.Errorf("Claims(medical_doc) without one = %v, %v", c, err)
	}
}
