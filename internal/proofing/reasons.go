package proofing

// reasons explains the reason codes of failed, skipped and cancelled checks in plain English;
// pages translate the codes.
var reasons = map[string]string{
	"not_found":            "the registry has no record of this number or person",
	"name_mismatch":        "the name does not match the registry's record",
	"birth_date_mismatch":  "the birth date does not match the registry's record",
	"document_invalid":     "the registry lists the document as invalid (lost, expired or replaced)",
	"document_mismatch":    "the document's issue data do not match the registry's record",
	"not_verified":         "the registry did not confirm the data",
	"registry_timeout":     "the registry did not answer in time; submit the data again later",
	"registry_rejected":    "the registry refused the request; check the data and submit them again",
	"snils_taken":          "this SNILS is already verified on another account; recover that account instead",
	"inn_not_found":        "the tax service holds no INN for this person; the profile has none",
	"another_check_failed": "not finished because another check failed",
}

// ReasonMessage returns an English explanation of a check's reason code ("" for none).
func ReasonMessage(code string) string {
	if code == "" {
		return ""
	}
	if m, ok := reasons[code]; ok {
		return m
	}
	return "the registry did not confirm the data (" + code + ")"
}
