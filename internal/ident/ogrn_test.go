package ident

import "testing"

func TestNormalizeOGRN(t *testing.T) {
	runNormCases(t, "NormalizeOGRN", NormalizeOGRN, []normCase{
		// Worked examples from DOMAIN.md, section 3.
		{in: "1027700132195", want: "1027700132195"},
		{in: "304500116000157", want: "304500116000157"},
		// Remainder 10: the last-digit rule gives 0.
		{in: "304500116000050", want: "304500116000050"},
		{in: " 1027700132195 ", want: "1027700132195"},
		{in: "1027700132196", code: CodeOGRNChecksum},
		{in: "304500116000156", code: CodeOGRNChecksum},
		{in: "3045001160000510", code: CodeOGRNInvalid},
		{in: "", code: CodeRequired},
		{in: "102770013219", code: CodeOGRNInvalid},
		{in: "10277001321950", code: CodeOGRNInvalid},
		{in: "102770013219x", code: CodeOGRNInvalid},
	})
}
