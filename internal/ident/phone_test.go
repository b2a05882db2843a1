package ident

import "testing"

func TestNormalizePhone(t *testing.T) {
	runNormCases(t, "NormalizePhone", NormalizePhone, []normCase{
		{in: "+7 916 123-45-67", want: "+79161234567"},
		{in: "8 (916) 1234567", want: "+79161234567"},
		{in: "9161234567", want: "+79161234567"},
		{in: "+79161234567", want: "+79161234567"},
		{in: "7 916 123 45 67", want: "+79161234567"},
		{in: "89161234567", want: "+79161234567"},
		{in: "+7(977)8318309", want: "+79778318309"},
		{in: "  +7 916 123.45.67 ", want: "+79161234567"},
		{in: "", code: CodeRequired},
		{in: "   ", code: CodeRequired},
		{in: "+7 701 123 45 67", code: CodePhoneInvalid},
		{in: "+7 601 123 45 67", code: CodePhoneInvalid},
		{in: "+7 495 123-45-67", code: CodePhoneInvalid},
		{in: "8 495 1234567", code: CodePhoneInvalid},
		{in: "+1 202 555 0100", code: CodePhoneInvalid},
		{in: "+375 29 123 45 67", code: CodePhoneInvalid},
		{in: "916123456", code: CodePhoneInvalid},
		{in: "891612345678", code: CodePhoneInvalid},
		{in: "+79161234567 ext 5", code: CodePhoneInvalid},
		{in: "8-800-FLOWERS", code: CodePhoneInvalid},
		{in: "7+9161234567", code: CodePhoneInvalid},
		{in: "user@example.ru", code: CodePhoneInvalid},
		{in: "112-233-445 95", code: CodePhoneInvalid},
	})
}

func TestFormatPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+79161234567", "+7 916 123-45-67"},
		{"+79778318309", "+7 977 831-83-09"},
		{"89161234567", "89161234567"},
		{"+7916123456x", "+7916123456x"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := FormatPhone(tc.in); got != tc.want {
				t.Errorf("FormatPhone(%q) got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
