package ident

import "testing"

func TestNormalizeINN(t *testing.T) {
	runNormCases(t, "NormalizeINN", NormalizeINN, []normCase{
		// Worked examples from DOMAIN.md, section 3.
		{in: "7707083893", want: "7707083893"},
		{in: "500100732259", want: "500100732259"},
		{in: "123456789047", want: "123456789047"},
		{in: "1234567894", want: "1234567894"},
		{in: " 7707083893\n", want: "7707083893"},
		{in: "7707083894", code: CodeINNChecksum},
		{in: "500100732258", code: CodeINNChecksum},
		{in: "500100732269", code: CodeINNChecksum},
		{in: "", code: CodeRequired},
		{in: "770708389", code: CodeINNInvalid},
		{in: "77070838931", code: CodeINNInvalid},
		{in: "5001007322590", code: CodeINNInvalid},
		{in: "77070838a3", code: CodeINNInvalid},
		{in: "7707 083893", code: CodeINNInvalid},
	})
}
