package recovery

import (
	"errors"
	"testing"

	"github.com/civis-id/civis/internal/flow"
)

func TestParseIdentifier(t *testing.T) {
	for _, tc := range []struct {
		kind, value string
		want        Identifier
		code        string // field code of the error, if any
	}{
		{"phone", "8 (916) 123-45-67", Identifier{Phone, "+79161234567"}, ""},
		{"email", " Maria@Example.RU ", Identifier{Email, "maria@example.ru"}, ""},
		{"snils", "112-233-445 95", Identifier{SNILS, "11223344595"}, ""},
		{"snils", "112-233-445 96", Identifier{}, "snils_checksum"},
		{"passport", "45 09 №123456", Identifier{Passport, "4509123456"}, ""},
		{"passport", "4509-12345", Identifier{}, "passport_invalid"},
		{"passport", "45O9123456", Identifier{}, "passport_invalid"},
		{"inn", "500100732259", Identifier{INN, "500100732259"}, ""},
		{"inn", "7707083893", Identifier{}, "inn_invalid"}, // a company's
		{"fax", "1", Identifier{}, "invalid_choice"},
	} {
		got, err := ParseIdentifier(tc.kind, tc.value)
		var ve *flow.ValidationError
		switch {
		case tc.code == "" && (err != nil || got != tc.want):
			t.Errorf("ParseIdentifier(%s, %q) got %+v, %v; want %+v", tc.kind, tc.value, got, err, tc.want)
		case tc.code != "" && (!errors.As(err, &ve) || ve.Fields[0].Code != tc.code):
			t.Errorf("ParseIdentifier(%s, %q) got error %v, want field code %s", tc.kind, tc.value, err, tc.code)
		}
	}
}
