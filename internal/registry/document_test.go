package registry

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDocumentAccepts(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name string
		in   Document
		want Document
	}{
		{
			"rf passport normalized",
			Document{Type: " rf_passport ", Series: "45 09", Number: " 123456", IssueDate: time.Date(2005, 4, 2, 0, 0, 0, 0, msk), Issuer: "  ОВД  района\tАрбат ", DivisionCode: "770 001", Country: "rus"},
			Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), Issuer: "ОВД района Арбат", DivisionCode: "770-001"},
		},
		{
			"rf passport minimal",
			Document{Type: TypeRFPassport, Series: "0304", Number: "000001", IssueDate: date(1997, 10, 1)},
			Document{Type: TypeRFPassport, Series: "0304", Number: "000001", IssueDate: date(1997, 10, 1)},
		},
		{
			"division code with hyphen",
			Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), DivisionCode: "770-001"},
			Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), DivisionCode: "770-001"},
		},
		{
			"foreign passport normalized",
			Document{Type: "frgn_pass", Number: "c01x 00t47", Country: " deu", IssueDate: date(2020, 1, 1), ExpiryDate: date(2030, 1, 1)},
			Document{Type: TypeForeignPassport, Number: "C01X00T47", Country: "DEU", IssueDate: date(2020, 1, 1), ExpiryDate: date(2030, 1, 1)},
		},
		{
			"foreign passport with series",
			Document{Type: TypeForeignPassport, Series: "ab 1", Number: "AB-123", Country: "blr", Issuer: "MIA­"},
			Document{Type: TypeForeignPassport, Series: "AB1", Number: "AB123", Country: "BLR", Issuer: "MIA­"},
		},
		{
			"division code with stray hyphens",
			Document{Type: TypeRFPassport, Series: "4509", Number: "123-456", IssueDate: date(2005, 4, 2), DivisionCode: "77-0-001"},
			Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), DivisionCode: "770-001"},
		},
		{
			"foreign passport minimal",
			Document{Type: TypeForeignPassport, Number: "N1234567", Country: "KAZ"},
			Document{Type: TypeForeignPassport, Number: "N1234567", Country: "KAZ"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDocument(tt.in)
			if err != nil {
				t.Fatalf("ParseDocument(%+v): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDocument(%+v) (-want +got):\n%s", tt.in, diff)
			}
			if again, err := ParseDocument(got); err != nil || !cmp.Equal(again, got) {
				t.Errorf("ParseDocument is not idempotent: %+v, %v", again, err)
			}
		})
	}
}

func TestParseDocumentRejects(t *testing.T) {
	rf := Document{Type: TypeRFPassport, Series: "4509", Number: "123456", IssueDate: date(2005, 4, 2), DivisionCode: "770-001"}
	fp := Document{Type: TypeForeignPassport, Number: "123456789", Country: "GBR"}
	change := func(d Document, fn func(*Document)) Document { fn(&d); return d }
	tests := []struct {
		name string
		in   Document
		want []FieldError
	}{
		{"unknown type", change(rf, func(d *Document) { d.Type = "USSR_PASSPORT" }), []FieldError{{"type", CodeTypeInvalid}}},
		{"empty type", change(rf, func(d *Document) { d.Type = "" }), []FieldError{{"type", CodeTypeInvalid}}},
		{"short series", change(rf, func(d *Document) { d.Series = "450" }), []FieldError{{"series", CodeSeriesInvalid}}},
		{"letters in series", change(rf, func(d *Document) { d.Series = "45O9" }), []FieldError{{"series", CodeSeriesInvalid}}},
		{"arabic-indic digits", change(rf, func(d *Document) { d.Series = "٤٥٠٩" }), []FieldError{{"series", CodeSeriesInvalid}}},
		{"long number", change(rf, func(d *Document) { d.Number = "1234567" }), []FieldError{{"number", CodeNumberInvalid}}},
		{"empty number", change(rf, func(d *Document) { d.Number = "" }), []FieldError{{"number", CodeNumberInvalid}}},
		{"short division code", change(rf, func(d *Document) { d.DivisionCode = "770-01" }), []FieldError{{"division_code", CodeDivisionCodeInvalid}}},
		{"letters in division code", change(rf, func(d *Document) { d.DivisionCode = "77O-001" }), []FieldError{{"division_code", CodeDivisionCodeInvalid}}},
		{"no issue date", change(rf, func(d *Document) { d.IssueDate = time.Time{} }), []FieldError{{"issue_date", CodeIssueDateInvalid}}},
		{"issue date before 1997", change(rf, func(d *Document) { d.IssueDate = date(1996, 12, 31) }), []FieldError{{"issue_date", CodeIssueDateInvalid}}},
		{"rf with country", change(rf, func(d *Document) { d.Country = "BLR" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"rf with expiry", change(rf, func(d *Document) { d.ExpiryDate = date(2030, 1, 1) }), []FieldError{{"expiry_date", CodeExpiryDateInvalid}}},
		{"control character in issuer", change(rf, func(d *Document) { d.Issuer = "ОВД\x00" }), []FieldError{{"issuer", CodeIssuerInvalid}}},
		{"long issuer", change(rf, func(d *Document) { d.Issuer = strings.Repeat("я", 251) }), []FieldError{{"issuer", CodeIssuerInvalid}}},
		{"everything", Document{Type: TypeRFPassport, Series: "x", Number: "y", DivisionCode: "z"}, []FieldError{
			{"series", CodeSeriesInvalid}, {"number", CodeNumberInvalid}, {"division_code", CodeDivisionCodeInvalid}, {"issue_date", CodeIssueDateInvalid},
		}},
		{"foreign series with punctuation", change(fp, func(d *Document) { d.Series = "12/3" }), []FieldError{{"series", CodeSeriesInvalid}}},
		{"foreign long series", change(fp, func(d *Document) { d.Series = strings.Repeat("A", 21) }), []FieldError{{"series", CodeSeriesInvalid}}},
		{"foreign empty number", change(fp, func(d *Document) { d.Number = " - " }), []FieldError{{"number", CodeNumberInvalid}}},
		{"foreign long number", change(fp, func(d *Document) { d.Number = strings.Repeat("1", 31) }), []FieldError{{"number", CodeNumberInvalid}}},
		{"foreign cyrillic number", change(fp, func(d *Document) { d.Number = "МР1234567" }), []FieldError{{"number", CodeNumberInvalid}}},
		{"foreign division code", change(fp, func(d *Document) { d.DivisionCode = "770-001" }), []FieldError{{"division_code", CodeDivisionCodeInvalid}}},
		{"foreign no country", change(fp, func(d *Document) { d.Country = "" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign alpha-2", change(fp, func(d *Document) { d.Country = "GB" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign unknown code", change(fp, func(d *Document) { d.Country = "USQ" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign user-assigned code", change(fp, func(d *Document) { d.Country = "XXX" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign russian", change(fp, func(d *Document) { d.Country = "RUS" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign numeric code", change(fp, func(d *Document) { d.Country = "826" }), []FieldError{{"country", CodeCountryInvalid}}},
		{"foreign issue date of 1700", change(fp, func(d *Document) { d.IssueDate = date(1700, 1, 1) }), []FieldError{{"issue_date", CodeIssueDateInvalid}}},
		{"foreign expiry before issue", change(fp, func(d *Document) { d.IssueDate, d.ExpiryDate = date(2020, 1, 1), date(2019, 1, 1) }), []FieldError{{"expiry_date", CodeExpiryDateInvalid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDocument(tt.in)
			var de *DocumentError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDocument(%+v) error = %v, want a *DocumentError", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, de.Fields); diff != "" {
				t.Errorf("ParseDocument(%+v) fields (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDocumentErrorText(t *testing.T) {
	_, err := ParseDocument(Document{Type: TypeRFPassport, Series: "45", Number: "98765", IssueDate: date(2005, 4, 2)})
	if got, want := err.Error(), "invalid document: series_invalid, number_invalid"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
