package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPICareSchemas keeps the account-care schemas in step with their Go structs, as
// TestOpenAPISchemasMatchStructs does for the rest.
func TestOpenAPICareSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"RecoveryRequest":             recoveryRequest{},
		"Recovery":                    recoveryResponse{},
		"RecoveryResendRequest":       recoveryResendRequest{},
		"RecoveryCodeRequest":         recoveryCodeRequest{},
		"RecoveryIdentifierRequest":   recoveryIdentifierRequest{},
		"RecoveryAnswerRequest":       recoveryAnswerRequest{},
		"SessionItem":                 sessionItem{},
		"SessionList":                 sessionList{},
		"SessionsEnded":               sessionsEnded{},
		"PasswordChangeRequest":       passwordChangeRequest{},
		"PasswordChanged":             passwordChanged{},
		"ContactChangeRequest":        contactChangeRequest{},
		"ContactChange":               contactChangeResponse{},
		"ContactConfirmRequest":       contactConfirmRequest{},
		"NoticeChannels":              channels{},
		"NotificationSettings":        notificationSettings{},
		"NotificationSettingsRequest": notificationSettingsRequest{},
		"SecretQuestionRequest":       secretQuestionRequest{},
		"SecretQuestion":              secretQuestion{},
		"DeleteAccountRequest":        deleteAccountRequest{},
		"AccountDeleted":              accountDeleted{},
		"Event":                       eventItem{},
		"EventList":                   eventList{},
	} {
		schema := doc.resolve(t, map[string]any{"$ref": "#/components/schemas/" + name})
		props, _ := schema["properties"].(map[string]any)
		var got []string
		for p := range props {
			got = append(got, p)
		}
		slices.Sort(got)
		if want := jsonFields(reflect.TypeOf(v)); !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v, struct %T has %v", name, got, v, want)
		}
		if strings.HasSuffix(name, "Request") && schema["additionalProperties"] != false {
			t.Errorf("schema %s must set additionalProperties: false", name)
		}
	}
}
