package api

import (
	"testing"

	"github.com/civis-id/civis/internal/adminapi"
)

// TestOpenAPILetterSchemas keeps the letter schemas in step with their Go structs.
func TestOpenAPILetterSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"LetterAddress":        letterAddress{},
		"LetterOrderRequest":   letterOrderRequest{},
		"LetterConfirmRequest": letterConfirmRequest{},
		"Letter":               letterBody{},
		"LetterStatus":         letterStatus{},
		"TrackingUpdate":       adminapi.TrackingUpdate{},
		"TrackingResult":       adminapi.TrackingResult{},
		"TrackingResults":      adminapi.TrackingResults{},
	} {
		schema := checkSchemaFields(t, doc, name, v)
		if (name == "LetterOrderRequest" || name == "LetterConfirmRequest" || name == "TrackingUpdate") &&
			schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
}
