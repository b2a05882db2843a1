package api

import (
	"reflect"
	"slices"
	"testing"

	"github.com/civis-id/civis/internal/pow"
)

// TestOpenAPISignInSchemas keeps the schemas of second factors, passkeys and the proof of
// work in step with the structs that decode and encode them.
func TestOpenAPISignInSchemas(t *testing.T) {
	doc := loadDocument(t)
	for name, v := range map[string]any{
		"PoWChallenge":                     pow.Challenge{},
		"PoWSolution":                      pow.Solution{},
		"PendingLogin":                     pendingLoginResponse{},
		"SecondFactorRequest":              secondFactorRequest{},
		"SecondFactorSession":              secondFactorResponse{},
		"SMSSent":                          smsSentResponse{},
		"PasskeyOptions":                   passkeyOptionsResponse{},
		"PasskeyLoginStart":                passkeyLoginBeginResponse{},
		"PasskeyLoginFinishRequest":        passkeyLoginFinishRequest{},
		"ReauthRequest":                    reauthRequest{},
		"Reauth":                           reauthResponse{},
		"SecondFactors":                    secondFactorsResponse{},
		"Passkey":                          passkeyBody{},
		"TOTPSetup":                        totpSetupResponse{},
		"TOTPConfirmRequest":               totpConfirmRequest{},
		"RecoveryCodes":                    recoveryCodesResponse{},
		"PasskeyRegistrationStart":         passkeyRegisterBeginResponse{},
		"PasskeyRegistrationFinishRequest": passkeyRegisterFinishRequest{},
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
	}
}
