package api

import "testing"

// TestOpenAPIOperatorSchemas keeps the operator API's schemas in step with its structs.
func TestOpenAPIOperatorSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"OperatorRegistrationRequest": operatorRegistrationRequest{},
		"OperatorPassport":            operatorPassport{},
		"OperatorConfirmationRequest": operatorConfirmationRequest{},
		"OperatorRestorationRequest":  operatorRestorationRequest{},
		"OperatorDuplicateRequest":    operatorDuplicateRequest{},
		"OperatorSearchRequest":       operatorSearchRequest{},
		"OperatorFound":               operatorFound{},
		"OperatorCheck":               operatorCheck{},
		"OperatorPerson":              operatorPerson{},
		"OperatorExists":              operatorExists{},
		"OperatorRequestEntry":        operatorRequestEntry{},
		"ActivationRequest":           activationRequest{},
		"Activation":                  activationResponse{},
	} {
		schema := checkSchemaFields(t, doc, name, v)
		if len(name) > 7 && name[len(name)-7:] == "Request" && schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
}
