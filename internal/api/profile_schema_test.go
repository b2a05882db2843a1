package api

import (
	"testing"

	"github.com/civis-id/civis/internal/proofing"
)

// TestOpenAPIProfileSchemas keeps the profile schemas in step with the structs that decode and
// encode them.
func TestOpenAPIProfileSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"ProfileUpdateRequest":  profileUpdateRequest{},
		"SubmitRequest":         submitRequest{},
		"Profile":               profileResponse{},
		"PersonalItem":          checkedItem[proofing.Personal]{},
		"SNILSItem":             checkedItem[string]{},
		"IDDocumentItem":        checkedItem[proofing.IDDocument]{},
		"INNItem":               checkedItem[string]{},
		"CheckFailure":          failureBody{},
		"Submission":            submissionBody{},
		"Check":                 checkBody{},
		"ProfileChecks":         checksResponse{},
		"Personal":              proofing.Personal{},
		"IDDocument":            proofing.IDDocument{},
		"DriversLicence":        proofing.DriversLicence{},
		"MedicalPolicy":         proofing.MedicalPolicy{},
		"InternationalPassport": proofing.InternationalPassport{},
		"MilitaryID":            proofing.MilitaryID{},
		"Vehicle":               proofing.Vehicle{},
		"Address":               proofing.Address{},
	} {
		schema := checkSchemaFields(t, doc, name, v)
		if schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
}
