package registry

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// documentCodes are the field error codes ParseDocument may return.
var documentCodes = []string{
	CodeTypeInvalid, CodeSeriesInvalid, CodeNumberInvalid, CodeDivisionCodeInvalid,
	CodeIssueDateInvalid, CodeExpiryDateInvalid, CodeCountryInvalid, CodeIssuerInvalid,
}

func FuzzParseDocument(f *testing.F) {
	f.Add("RF_PASSPORT", "45 09", "123456", "770001", "", "ОВД Арбат", int64(1112400000), int64(0))
	f.Add("frgn_pass", "", "c01x00t47", "", "deu", "", int64(1577836800), int64(1893456000))
	f.Add("FRGN_PASS", "", "N1234567", "", "RUS", "", int64(0), int64(0))
	f.Add("RF_PASSPORT", "٤٥٠٩", "12345", "77-0-001", "BLR", "\x00", int64(-1), int64(253402300800))
	f.Fuzz(func(t *testing.T, typ, series, number, division, country, issuer string, issued, expires int64) {
		d := Document{Type: typ, Series: series, Number: number, DivisionCode: division, Country: country, Issuer: issuer}
		if issued != 0 {
			d.IssueDate = time.Unix(issued, 0)
		}
		if expires != 0 {
			d.ExpiryDate = time.Unix(expires, 0)
		}
		out, err := ParseDocument(d)
		if err != nil {
			var de *DocumentError
			if !errors.As(err, &de) || len(de.Fields) == 0 {
				t.Fatalf("ParseDocument(%+v) error %v is not a non-empty *DocumentError", d, err)
			}
			for _, fe := range de.Fields {
				if !slices.Contains(documentCodes, fe.Code) {
					t.Fatalf("ParseDocument(%+v) gave unknown code %q", d, fe.Code)
				}
			}
			return
		}
		again, err := ParseDocument(out)
		if err != nil || !cmp.Equal(again, out) {
			t.Fatalf("ParseDocument(%+v) = %+v, but again gives %+v, %v", d, out, again, err)
		}
		for _, dt := range []time.Time{out.IssueDate, out.ExpiryDate} {
			if s := formatDate(dt); s != "" && len(s) != len(dateLayout) {
				t.Fatalf("ParseDocument(%+v) accepted a date written %q", d, s)
			}
		}
		if out.Type == TypeRFPassport && (!isDigitsN(out.Series, 4) || !isDigitsN(out.Number, 6)) {
			t.Fatalf("ParseDocument(%+v) accepted %+v", d, out)
		}
	})
}

func FuzzParseData(f *testing.F) {
	f.Add([]byte(`[{"last_name":"Орлов","first_name":"Михаил","birth_date":"1992-10-03","snils":"135-792-468 94"}]`), true)
	f.Add([]byte("last_name,first_name,birth_date,passport_series,passport_number,passport_issue_date\nОрлов,Михаил,1992-10-03,4512,100200,2012-10-20\n"), false)
	f.Add([]byte("\ufeffLAST_NAME,first_name,birth_date\n\"a\"\"b\",c,2000-01-01\n"), false)
	f.Add([]byte(`[{"passport":{"series":"4512"}},null]`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		format := "csv"
		if isJSON {
			format = "json"
		}
		idx, err := parseData(data, format)
		if err != nil {
			return
		}
		for _, rs := range idx.byIdentity {
			for _, r := range rs {
				if checkPerson(r.Person) != nil {
					t.Fatalf("parseData accepted an invalid person %+v", r.Person)
				}
				for _, d := range r.documents {
					if _, err := ParseDocument(d.Document); err != nil {
						t.Fatalf("parseData accepted an invalid document: %v", err)
					}
				}
			}
		}
	})
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"02:00-03:00", "23:30-00:30", "00:00-24:00", "2026-03-01T10:00:00Z/2026-03-01T12:00:00.5+03:00", "1:0-2:0", "-/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWindow(s)
		if err != nil {
			return
		}
		again, err := ParseWindow(w.String())
		if err != nil || !again.From.Equal(w.From) || !again.To.Equal(w.To) || again.Daily != w.Daily || again.Start != w.Start || again.End != w.End {
			t.Fatalf("ParseWindow(%q) = %+v, but ParseWindow(%q) = %+v, %v", s, w, w.String(), again, err)
		}
		w.Contains(time.Unix(0, 0))
	})
}
