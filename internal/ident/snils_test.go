package ident

import "testing"

func TestNormalizeSNILS(t *testing.T) {
	runNormCases(t, "NormalizeSNILS", NormalizeSNILS, []normCase{
		// Worked examples from DOMAIN.md, section 3.
		{in: "112-233-445 95", want: "11223344595"},
		{in: "987-654-321 83", want: "98765432183"},
		{in: "820-981-233 00", want: "82098123300"},
		{in: "016-103-396 00", want: "01610339600"},
		{in: "999-999-999 01", want: "99999999901"},
		// Accepted layouts.
		{in: "11223344595", want: "11223344595"},
		{in: "112 233 445 95", want: "11223344595"},
		{in: " 112-233-445-95 ", want: "11223344595"},
		// Old numbers are not checked.
		{in: "001-001-998 12", want: "00100199812"},
		{in: "000-000-001 99", want: "00000000199"},
		// Checksums.
		{in: "112-233-445 96", code: CodeSNILSChecksum},
		{in: "999-999-999 45", code: CodeSNILSChecksum},
		{in: "820-981-233 100", code: CodeSNILSInvalid},
		{in: "001-001-999 00", code: CodeSNILSChecksum},
		// Shape.
		{in: "", code: CodeRequired},
		{in: " - ", code: CodeRequired},
		{in: "112-233-445", code: CodeSNILSInvalid},
		{in: "1122334459", code: CodeSNILSInvalid},
		{in: "112233445955", code: CodeSNILSInvalid},
		{in: "112.233.445 95", code: CodeSNILSInvalid},
		{in: "11223344a95", code: CodeSNILSInvalid},
		{in: "١١٢٢٣٣٤٤٥٩٥", code: CodeSNILSInvalid},
	})
}

func TestFormatSNILS(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11223344595", "112-233-445 95"},
		{"01610339600", "016-103-396 00"},
		{"1122334459", "1122334459"},
		{"1122334459x", "1122334459x"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := FormatSNILS(tc.in); got != tc.want {
				t.Errorf("FormatSNILS(%q) got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
